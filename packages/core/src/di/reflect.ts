// tsyringe refuses to load without the Reflect metadata polyfill; every module of ours that touches tsyringe
// imports it through ./container.ts, which imports this file first, so the order is guaranteed.
import 'reflect-metadata';

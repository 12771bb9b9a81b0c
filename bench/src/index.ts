// Benchmarks and reports that span packages live under bench/src/<area>/ (run with npm run bench).
export {};

// Entry of `npm run lab`: the lab CLI from the build output (a dev-time module loader would be measured too).
import { main } from './lab-cli.js';

process.exitCode = await main(process.argv.slice(2));

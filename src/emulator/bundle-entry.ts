// Entry of the single-file emulator that images carry (dist/lambda-base-emulator.mjs).
import { runEmulatorCli } from "./main.js";

const args = process.argv.slice(2);
process.exitCode = await runEmulatorCli(args[0] === "--" ? args.slice(1) : args);
process.exit();

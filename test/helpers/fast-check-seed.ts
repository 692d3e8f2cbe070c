/**
 * Property tests in `npm test` are replayable: every fast-check run starts from one fixed seed
 * (FC_SEED overrides it), so a test fails the same way every time or never. fast-check prints
 * the seed and the counterexample's path on failure; replay with
 * `FC_SEED=<seed> npx vitest run <file>`. Random seeds belong to the soaks
 * (`npm run fuzz:soak`, `npm run sim:soak`), which print theirs.
 *
 * Loaded by vitest.config.ts (setupFiles) before every test file.
 */
import * as fc from 'fast-check';

/** The seed of every property test in `npm test`. */
export const FC_SEED = Number(process.env.FC_SEED ?? 20_261_203);

if (!Number.isSafeInteger(FC_SEED)) throw new Error(`FC_SEED must be an integer: ${FC_SEED}`);
fc.configureGlobal({ ...fc.readConfigureGlobal(), seed: FC_SEED });

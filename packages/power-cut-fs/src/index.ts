/**
 * @synod/power-cut-fs (test only): a FUSE filesystem that forgets, on command, what a power cut
 * may forget. See README.md.
 */
export {
  PowerCutFs,
  type CutOptions,
  type CutReport,
  type PowerCutFsStats,
} from './power-cut-fs.js';
export { powerCutFsBinary, powerCutFsUnavailable, POWER_CUT_FS_SOURCE } from './build.js';
export { PowerCutFsError, PowerCutFsUnavailableError } from './errors.js';

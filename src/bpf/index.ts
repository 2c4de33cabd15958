// libbpf through koffi. Nothing ipvx-specific lives here.
export { BpfObject } from './object.js';
export { BpfMap, MAP_TYPE, numPossibleCpus, mapInfo } from './map.js';
export { BpfProgram, BPF_F_TEST_XDP_LIVE_FRAMES, progInfo, programFdById, xdpMd } from './program.js';
export type { TestRunOptions, TestRunResult } from './program.js';
export { attachXdp, detachXdp, queryXdp } from './xdp.js';
export type { XdpMode } from './xdp.js';
export { BpfError } from './errors.js';

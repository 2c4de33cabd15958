// libbpf through koffi. Nothing ipvx-specific lives here.
export { BpfObject } from './object.js';
export { BpfMap, MAP_TYPE, numPossibleCpus, mapInfo, unpinPath } from './map.js';
export type { MapInfo, UpdateFlag } from './map.js';
export {
  BpfProgram, BPF_F_TEST_XDP_LIVE_FRAMES, BPF_F_TEST_RUN_ON_CPU, progInfo, programFdById, xdpMd,
} from './program.js';
export type { TestRunOptions, TestRunResult, ProgInfo } from './program.js';
export { attachXdp, detachXdp, queryXdp, XDP_FLAGS } from './xdp.js';
export type { XdpMode, XdpAttachMode, XdpQuery } from './xdp.js';
export { BpfError, ENOTSUPP } from './errors.js';
export { btfEnum } from './btf.js';

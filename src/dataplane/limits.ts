// The data plane's limits, as the compiled object declares them (enum ipvx_limit in
// bpf/include/consts.h, carried into BTF by bpf/ipvx_contract.bpf.c): validation
// checks a desired state against these, not against a copy of the numbers.
import { btfEnum } from '../bpf/index.js';
import type { Limits } from '../core/validate.js';
import { defaultObjectPath } from './xdp.js';

/** The object whose BTF holds the contract (never loaded). */
export const CONTRACT_OBJECT = 'ipvx_contract.bpf.o';

/** Every constant of enum ipvx_limit, by its C name. */
export function limitConstants(path = defaultObjectPath(CONTRACT_OBJECT)): Map<string, number> {
  return btfEnum(path, 'ipvx_limit');
}

/** The limits validation needs, from the object at `path` (default: this build's contract object). */
export function readLimits(path = defaultObjectPath(CONTRACT_OBJECT)): Limits {
  const c = limitConstants(path);
  const get = (name: string): number => {
    const v = c.get(name);
    if (v === undefined) throw new Error(`${path}: enum ipvx_limit has no ${name}`);
    return v;
  };
  return { services: get('IPVX_MAX_SERVICES'), realsPerService: get('IPVX_MAX_REALS_PER_SERVICE'), reals: get('IPVX_MAX_REALS') };
}

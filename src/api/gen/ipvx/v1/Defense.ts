// Original file: proto/ipvx/v1/ipvx.proto


/**
 * Flood defence, configured like IPVS's /proc/sys/net/ipv4/vs/drop_entry and secure_tcp;
 * a CPU whose rate of new flows is above new_flow_rate is flooded (IPVS: low memory).
 * Absent fields: the defaults (docs/dataplane.md), or unchanged in SetDefense.
 */
export interface Defense {
  /**
   * new flows per second per CPU; 0 = never flooded
   */
  'newFlowRate'?: (number);
  /**
   * 0 off, 1/2 while flooded, 3 always: new flows wait in the embryonic table
   */
  'dropEntry'?: (number);
  /**
   * 0 off, 1/2 while flooded, 3 always: only SYNs start TCP flows
   */
  'secureTcp'?: (number);
  /**
   * seconds a SYN-state flow lives under secure_tcp
   */
  'synTimeout'?: (number);
  '_newFlowRate'?: "newFlowRate";
  '_dropEntry'?: "dropEntry";
  '_secureTcp'?: "secureTcp";
  '_synTimeout'?: "synTimeout";
}

/**
 * Flood defence, configured like IPVS's /proc/sys/net/ipv4/vs/drop_entry and secure_tcp;
 * a CPU whose rate of new flows is above new_flow_rate is flooded (IPVS: low memory).
 * Absent fields: the defaults (docs/dataplane.md), or unchanged in SetDefense.
 */
export interface Defense__Output {
  /**
   * new flows per second per CPU; 0 = never flooded
   */
  'newFlowRate'?: (number);
  /**
   * 0 off, 1/2 while flooded, 3 always: new flows wait in the embryonic table
   */
  'dropEntry'?: (number);
  /**
   * 0 off, 1/2 while flooded, 3 always: only SYNs start TCP flows
   */
  'secureTcp'?: (number);
  /**
   * seconds a SYN-state flow lives under secure_tcp
   */
  'synTimeout'?: (number);
  '_newFlowRate'?: "newFlowRate";
  '_dropEntry'?: "dropEntry";
  '_secureTcp'?: "secureTcp";
  '_synTimeout'?: "synTimeout";
}

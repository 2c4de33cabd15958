// Original file: proto/ipvx/v1/ipvx.proto

import type { Long } from '@grpc/proto-loader';

/**
 * HA as the daemon sees it (src/ha/node.ts HaStatus). Times are ms; -1 = never/unknown.
 */
export interface HaStatus {
  'role'?: (string);
  'priority'?: (number);
  /**
   * the peer's heartbeat address
   */
  'peer'?: (string);
  /**
   * as last heard; empty if never heard
   */
  'peerRole'?: (string);
  'peerPriority'?: (number);
  'peerAlive'?: (boolean);
  /**
   * ISO time of the peer's last valid heartbeat; empty if none
   */
  'lastHeartbeat'?: (string);
  'lastHeartbeatAgeMs'?: (number | string | Long);
  /**
   * active: age of the oldest unsent entry; standby: since the last sync datagram
   */
  'syncLagMs'?: (number | string | Long);
  'heartbeatsSent'?: (number | string | Long);
  'heartbeatsAccepted'?: (number | string | Long);
  /**
   * by kind: malformed, forged, replayed, stale, own, foreign
   */
  'rejected'?: ({[key: string]: number | string | Long});
  'syncEntriesSent'?: (number | string | Long);
  'syncEntriesReceived'?: (number | string | Long);
  /**
   * changes dropped because the send queue was full
   */
  'syncDropped'?: (number | string | Long);
}

/**
 * HA as the daemon sees it (src/ha/node.ts HaStatus). Times are ms; -1 = never/unknown.
 */
export interface HaStatus__Output {
  'role': (string);
  'priority': (number);
  /**
   * the peer's heartbeat address
   */
  'peer': (string);
  /**
   * as last heard; empty if never heard
   */
  'peerRole': (string);
  'peerPriority': (number);
  'peerAlive': (boolean);
  /**
   * ISO time of the peer's last valid heartbeat; empty if none
   */
  'lastHeartbeat': (string);
  'lastHeartbeatAgeMs': (string);
  /**
   * active: age of the oldest unsent entry; standby: since the last sync datagram
   */
  'syncLagMs': (string);
  'heartbeatsSent': (string);
  'heartbeatsAccepted': (string);
  /**
   * by kind: malformed, forged, replayed, stale, own, foreign
   */
  'rejected': ({[key: string]: string});
  'syncEntriesSent': (string);
  'syncEntriesReceived': (string);
  /**
   * changes dropped because the send queue was full
   */
  'syncDropped': (string);
}

// Original file: proto/ipvx/v1/ipvx.proto

import type { HttpUrl as _ipvx_v1_HttpUrl, HttpUrl__Output as _ipvx_v1_HttpUrl__Output } from '../../ipvx/v1/HttpUrl.js';

export interface HealthCheck {
  /**
   * tcp | http | https | send-expect | udp | exec
   */
  'type'?: (string);
  'port'?: (number);
  'address'?: (string);
  'path'?: (string);
  'host'?: (string);
  'statusCodes'?: (string);
  'bodyRegex'?: (string);
  'verifyTls'?: (boolean);
  'send'?: (string);
  'expect'?: (string);
  'useRegex'?: (boolean);
  'sendProgram'?: (string);
  'payload'?: (string);
  'minLength'?: (number);
  'maxLength'?: (number);
  'command'?: (string);
  'dynamicWeight'?: (boolean);
  /**
   * udp: up unless an ICMP error comes back
   */
  'replyOptional'?: (boolean);
  /**
   * udp: the reply must start with these bytes
   */
  'reply'?: (string);
  /**
   * http(s): MD5 of the body, hex
   */
  'digest'?: (string);
  /**
   * http(s): further URLs, all must pass
   */
  'urls'?: (_ipvx_v1_HttpUrl)[];
}

export interface HealthCheck__Output {
  /**
   * tcp | http | https | send-expect | udp | exec
   */
  'type': (string);
  'port': (number);
  'address': (string);
  'path': (string);
  'host': (string);
  'statusCodes': (string);
  'bodyRegex': (string);
  'verifyTls': (boolean);
  'send': (string);
  'expect': (string);
  'useRegex': (boolean);
  'sendProgram': (string);
  'payload': (string);
  'minLength': (number);
  'maxLength': (number);
  'command': (string);
  'dynamicWeight': (boolean);
  /**
   * udp: up unless an ICMP error comes back
   */
  'replyOptional': (boolean);
  /**
   * udp: the reply must start with these bytes
   */
  'reply': (string);
  /**
   * http(s): MD5 of the body, hex
   */
  'digest': (string);
  /**
   * http(s): further URLs, all must pass
   */
  'urls': (_ipvx_v1_HttpUrl__Output)[];
}

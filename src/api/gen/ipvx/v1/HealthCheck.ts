// Original file: proto/ipvx/v1/ipvx.proto


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
}

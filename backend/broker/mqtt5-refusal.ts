import type { Client, ConnectPacket } from 'aedes';

/**
 * What an MQTT 5 client is told. aedes speaks MQTT 3.1 and 3.1.1 only; left to itself it answers a
 * v5 CONNECT with a 3.1.1-shaped refusal, which a v5 client shows as a bare "unsupported protocol
 * version" (132) and nothing more. This says why and where v5 devices can be tested.
 */
export const MQTT5_REASON =
  "pinbench's embedded broker speaks MQTT 3.1 and 3.1.1 only; connect with MQTT 3.1.1, or test MQTT 5 devices on your own broker (pinbench run --broker URL, or broker.url in the scenario)";

/** CONNACK reason code 0x84 of MQTT 5 (§3.2.2.2): "Unsupported Protocol Version". */
const UNSUPPORTED_PROTOCOL_VERSION = 0x84;

/** MQTT's variable byte integer (§1.5.5): 7 bits a byte, low first, high bit = more follow. */
function varint(n: number): Buffer {
  const bytes: number[] = [];
  do {
    let byte = n % 128;
    n = Math.floor(n / 128);
    if (n > 0) byte |= 0x80;
    bytes.push(byte);
  } while (n > 0);
  return Buffer.from(bytes);
}

/**
 * An MQTT 5 CONNACK (§3.2) with a reason code and a Reason String property (0x1F). Written by
 * hand because mqtt-packet is only aedes's dependency, not ours, and the packet is 5 fields.
 */
export function mqtt5Connack(reasonCode: number, reasonString: string): Buffer {
  const text = Buffer.from(reasonString, 'utf8');
  const properties = Buffer.concat([Buffer.from([0x1f, text.length >> 8, text.length & 0xff]), text]);
  const body = Buffer.concat([Buffer.from([0x00, reasonCode]), varint(properties.length), properties]);
  return Buffer.concat([Buffer.from([0x20]), varint(body.length), body]);
}

/** The error handed back to aedes, which closes the connection; `protocolVersionRefused` keeps it out of `protocol.violation`. */
export type ProtocolVersionRefused = Error & { protocolVersionRefused: true };

/**
 * An aedes `preConnect` step: answers an MQTT 5 CONNECT itself, with a v5 CONNACK 132 whose
 * reason string is `MQTT5_REASON`, and refuses the connection once that is written (aedes then
 * closes the socket, and writes no CONNACK of its own for a refused preConnect). `true` when it
 * refused, else the CONNECT goes on to aedes.
 */
export function refuseMqtt5(client: Client, packet: ConnectPacket, refuse: (error: ProtocolVersionRefused) => void): boolean {
  if (packet.protocolVersion !== 5) return false;
  const connack = mqtt5Connack(UNSUPPORTED_PROTOCOL_VERSION, MQTT5_REASON);
  const error = Object.assign(new Error(`MQTT ${packet.protocolVersion} CONNECT refused: the embedded broker speaks 3.1 and 3.1.1 only`), { protocolVersionRefused: true as const });
  // aedes destroys the socket when the refusal comes back: wait until the CONNACK is written.
  client.conn.write(connack, () => refuse(error));
  return true;
}

import type { Client } from 'aedes';

/**
 * The largest MQTT packet the embedded broker reads, in bytes (fixed header excluded). A Pebble
 * reading is about 150 B on the wire (BinPackage + SensorData + topic), a registration confirm
 * less; 4 KiB leaves room for ~25 times that (longer topics, JSON status, future fields) while a
 * device with stolen credentials can no longer make the broker buffer, and the ingest store,
 * megabytes per publish.
 */
export const DEFAULT_MAX_PACKET_BYTES = 4096;

/** What the parser state of an aedes client looks like from here (mqtt-packet's Parser). */
interface PacketParser {
  packet: { cmd?: string; length: number };
  _parseLength(): boolean;
  _emitError(error: Error): void;
}

/**
 * Refuses a packet whose remaining-length header exceeds `maxBytes` as soon as that header is
 * read, before its body is buffered: mqtt-packet would otherwise collect the whole body (a
 * 256 MB header makes it wait for, and hold, 256 MB). MQTT 3.1.1 has no "packet too large"
 * reason, so the connection is closed (the parser error makes aedes close it). `onTooLarge`
 * runs once per refused packet with the client (its id is unset before CONNECT).
 */
export function capPacketSize(client: Client, maxBytes: number, onTooLarge: (client: Client, cmd: string, length: number) => void): void {
  const parser = (client as unknown as { _parser?: PacketParser })._parser;
  if (parser === undefined) return;
  const parseLength = parser._parseLength.bind(parser);
  parser._parseLength = () => {
    const complete = parseLength();
    if (complete && parser.packet.length > maxBytes) {
      onTooLarge(client, parser.packet.cmd ?? 'unknown', parser.packet.length);
      const error = Object.assign(new Error(`packet of ${parser.packet.length} B exceeds the broker's cap of ${maxBytes} B`), { packetTooLarge: true });
      parser._emitError(error);
      return false;
    }
    return complete;
  };
}

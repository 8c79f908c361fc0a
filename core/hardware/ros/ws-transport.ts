import { AbstractTransport, type ITransportFactory, type RosbridgeMessage } from 'roslib';
import { WebSocket } from 'ws';

/**
 * roslib 2.x transport over the `ws` package, so the adapter behaves the same on every Node
 * version (roslib would pick Node's global WebSocket where one exists). Binary frames become
 * ArrayBuffers, which roslib decodes as CBOR; text frames are JSON (plain, png or fragment).
 */
class WsTransport extends AbstractTransport {
  constructor(
    private readonly socket: WebSocket,
    onStatus?: (status: RosbridgeMessage) => void,
  ) {
    super();
    if (onStatus) this.on('message', (m) => m.op === 'status' && onStatus(m as RosbridgeMessage));
    socket.on('open', () => this.emit('open', undefined));
    socket.on('close', (code, reason) => this.emit('close', { code, reason: reason.toString() }));
    socket.on('error', (err) => this.emit('error', err));
    socket.on('message', (data, isBinary) => {
      const buf = Array.isArray(data)
        ? Buffer.concat(data)
        : Buffer.isBuffer(data)
          ? data
          : Buffer.from(data);
      this.handleRawMessage(
        isBinary ? buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.length) : buf.toString('utf8'),
      );
    });
  }

  send(message: RosbridgeMessage): void {
    if (this.socket.readyState === WebSocket.OPEN) this.socket.send(JSON.stringify(message));
  }

  close(): void {
    if (this.socket.readyState === WebSocket.CONNECTING) this.socket.terminate();
    else this.socket.close();
  }

  isConnecting(): boolean {
    return this.socket.readyState === WebSocket.CONNECTING;
  }

  isOpen(): boolean {
    return this.socket.readyState === WebSocket.OPEN;
  }

  isClosing(): boolean {
    return this.socket.readyState === WebSocket.CLOSING;
  }

  isClosed(): boolean {
    return this.socket.readyState === WebSocket.CLOSED;
  }
}

/**
 * A roslib transport factory using `ws`, with a handshake timeout and a frame size cap.
 * `onStatus` sees every rosbridge status message, including those tied to a publish id, which
 * roslib would only emit under that id.
 */
export function wsTransportFactory(
  handshakeTimeoutMs: number,
  onStatus?: (status: RosbridgeMessage) => void,
  maxPayload = 64 * 1024 * 1024,
): ITransportFactory {
  return async (url: string) => {
    const socket = new WebSocket(url, {
      handshakeTimeout: handshakeTimeoutMs,
      maxPayload,
      perMessageDeflate: false,
    });
    return new WsTransport(socket, onStatus);
  };
}

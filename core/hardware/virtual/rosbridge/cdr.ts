import { bytesOf, type CompressedImage, type Header, type Image, type JointState } from '../../ros/messages';

/**
 * A minimal ROS 2 CDR (XCDR1, little endian) serializer for the messages this server publishes,
 * used by rosbridge's `cbor-raw` compression, which sends the serialized message bytes.
 */
class CdrWriter {
  private buf = new Uint8Array(256);
  private view = new DataView(this.buf.buffer);
  private pos = 4;

  constructor() {
    this.buf.set([0x00, 0x01, 0x00, 0x00]);
  }

  private reserve(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    const next = new Uint8Array(Math.max(this.buf.length * 2, this.pos + n));
    next.set(this.buf);
    this.buf = next;
    this.view = new DataView(next.buffer);
  }

  private align(n: number): void {
    const offset = (this.pos - 4) % n;
    if (offset) {
      this.reserve(n - offset);
      this.pos += n - offset;
    }
  }

  int32(v: number): void {
    this.align(4);
    this.reserve(4);
    this.view.setInt32(this.pos, v, true);
    this.pos += 4;
  }

  uint32(v: number): void {
    this.align(4);
    this.reserve(4);
    this.view.setUint32(this.pos, v >>> 0, true);
    this.pos += 4;
  }

  uint8(v: number): void {
    this.reserve(1);
    this.buf[this.pos++] = v & 0xff;
  }

  string(s: string): void {
    const bytes = new TextEncoder().encode(s);
    this.uint32(bytes.length + 1);
    this.reserve(bytes.length + 1);
    this.buf.set(bytes, this.pos);
    this.pos += bytes.length;
    this.buf[this.pos++] = 0;
  }

  float64Seq(values: ArrayLike<number>): void {
    this.uint32(values.length);
    if (values.length === 0) return;
    this.align(8);
    this.reserve(values.length * 8);
    for (let i = 0; i < values.length; i++) {
      this.view.setFloat64(this.pos, values[i]!, true);
      this.pos += 8;
    }
  }

  stringSeq(values: readonly string[]): void {
    this.uint32(values.length);
    for (const s of values) this.string(s);
  }

  bytes(data: Uint8Array): void {
    this.uint32(data.length);
    this.reserve(data.length);
    this.buf.set(data, this.pos);
    this.pos += data.length;
  }

  header(h: Header): void {
    this.int32(h.stamp.sec);
    this.uint32(h.stamp.nanosec);
    this.string(h.frame_id);
  }

  result(): Uint8Array {
    return this.buf.slice(0, this.pos);
  }
}

type Serializer = (w: CdrWriter, msg: never) => void;

const SERIALIZERS: Record<string, Serializer> = {
  'sensor_msgs/msg/JointState': (w, m: JointState) => {
    w.header(m.header);
    w.stringSeq(m.name);
    w.float64Seq(m.position);
    w.float64Seq(m.velocity);
    w.float64Seq(m.effort);
  },
  'sensor_msgs/msg/Image': (w, m: Image) => {
    w.header(m.header);
    w.uint32(m.height);
    w.uint32(m.width);
    w.string(m.encoding);
    w.uint8(m.is_bigendian);
    w.uint32(m.step);
    w.bytes(bytesOf(m.data));
  },
  'sensor_msgs/msg/CompressedImage': (w, m: CompressedImage) => {
    w.header(m.header);
    w.string(m.format);
    w.bytes(bytesOf(m.data));
  },
};

export function canSerializeCdr(type: string): boolean {
  return type in SERIALIZERS;
}

/** CDR bytes of `msg` (with the 4-byte encapsulation header), or null for an unsupported type. */
export function serializeCdr(type: string, msg: unknown): Uint8Array | null {
  const s = SERIALIZERS[type];
  if (!s) return null;
  const w = new CdrWriter();
  s(w, msg as never);
  return w.result();
}

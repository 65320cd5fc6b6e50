import { crc32, deflateSync, inflateSync } from 'node:zlib';

/**
 * An 8-bit RGB or RGBA PNG (what Chromium's screenshots are) as an indexed PNG of at most
 * `maxColors` colours: a report page is flat colours and anti-aliased text, so a palette
 * keeps it looking the same at about a third of the size, for the README's image. The
 * palette is the most frequent colours at 5 bits a channel, each the mean of what it stands for.
 */
export function toIndexedPng(png: Buffer, maxColors = 256): Buffer {
  let pos = 8;
  let width = 0;
  let height = 0;
  let bpp = 0;
  const idat: Buffer[] = [];
  while (pos < png.length) {
    const length = png.readUInt32BE(pos);
    const type = png.toString('latin1', pos + 4, pos + 8);
    const data = png.subarray(pos + 8, pos + 8 + length);
    if (type === 'IHDR') {
      width = data.readUInt32BE(0);
      height = data.readUInt32BE(4);
      if (data[8] !== 8 || data[12] !== 0 || (data[9] !== 2 && data[9] !== 6)) throw new Error('only 8-bit, non-interlaced RGB or RGBA PNGs');
      bpp = data[9] === 6 ? 4 : 3;
    }
    if (type === 'IDAT') idat.push(data);
    pos += 12 + length;
  }
  const pixels = unfilter(inflateSync(Buffer.concat(idat)), width, height, bpp);
  const key = (i: number) => ((pixels[i]! >> 3) << 10) | ((pixels[i + 1]! >> 3) << 5) | (pixels[i + 2]! >> 3);
  const buckets = new Map<number, [number, number, number, number]>();
  for (let i = 0; i < pixels.length; i += bpp) {
    const bucket = buckets.get(key(i)) ?? [0, 0, 0, 0];
    bucket[0] += 1;
    bucket[1] += pixels[i]!;
    bucket[2] += pixels[i + 1]!;
    bucket[3] += pixels[i + 2]!;
    buckets.set(key(i), bucket);
  }
  const palette = [...buckets.values()].sort((a, b) => b[0] - a[0]).slice(0, maxColors).map(([n, r, g, b]) => [Math.round(r / n), Math.round(g / n), Math.round(b / n)]);
  const nearest = new Map<number, number>();
  const indexOf = (i: number): number => {
    const k = key(i);
    let best = nearest.get(k);
    if (best === undefined) {
      let distance = Infinity;
      palette.forEach(([r, g, b], j) => {
        const d = (r! - pixels[i]!) ** 2 + (g! - pixels[i + 1]!) ** 2 + (b! - pixels[i + 2]!) ** 2;
        if (d < distance) [distance, best] = [d, j];
      });
      nearest.set(k, best!);
    }
    return best!;
  };
  const rows = Buffer.alloc(height * (width + 1));
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) rows[y * (width + 1) + 1 + x] = indexOf((y * width + x) * bpp);
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header[8] = 8;
  header[9] = 3;
  return Buffer.concat([png.subarray(0, 8), chunk('IHDR', header), chunk('PLTE', Buffer.from(palette.flat())), chunk('IDAT', deflateSync(rows, { level: 9 })), chunk('IEND', Buffer.alloc(0))]);
}

function unfilter(raw: Buffer, width: number, height: number, bpp: number): Buffer {
  const stride = width * bpp;
  const pixels = Buffer.alloc(height * stride);
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)]!;
    const src = raw.subarray(y * (stride + 1) + 1);
    const row = y * stride;
    for (let x = 0; x < stride; x++) {
      const a = x >= bpp ? pixels[row + x - bpp]! : 0;
      const b = y > 0 ? pixels[row - stride + x]! : 0;
      const c = y > 0 && x >= bpp ? pixels[row - stride + x - bpp]! : 0;
      const p = a + b - c;
      const paeth = Math.abs(p - a) <= Math.abs(p - b) && Math.abs(p - a) <= Math.abs(p - c) ? a : Math.abs(p - b) <= Math.abs(p - c) ? b : c;
      const predictor = [0, a, b, (a + b) >> 1, paeth][filter]!;
      pixels[row + x] = (src[x]! + predictor) & 255;
    }
  }
  return pixels;
}

function chunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body) >>> 0);
  return Buffer.concat([length, body, crc]);
}

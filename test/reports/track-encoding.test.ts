import { describe, expect, it } from 'vitest';
import { decodeTrack, encodeTracks, GRID, TRACK_ATTACHED, TRACK_FLAGGED } from '../../reports/html/track-encoding.ts';
import { fakeTracks } from './fake-report.ts';

describe('HTML report: the map tracks as the page carries them', () => {
  it('behavior: points come back within half a grid cell, flags and profiles kept', () => {
    const set = fakeTracks();
    const encoded = encodeTracks(set);
    const [west, south, east, north] = set.bounds!;
    expect(encoded.tracks.map((row) => row[0])).toEqual([0, 0, TRACK_FLAGGED, TRACK_ATTACHED]);
    expect(encoded.profiles).toEqual(['car', 'attached']);
    expect(encoded.tracks.map((row) => row[1])).toEqual([0, 0, 0, 1]);
    expect(encoded.attachedIds).toEqual(['359811459761954']);
    set.tracks.forEach((track, i) => {
      const cells = decodeTrack(encoded.tracks[i]!);
      expect(cells).toHaveLength(track.points.length);
      cells.forEach(([x, y], j) => {
        const [lon, lat] = track.points[j]!;
        expect(Math.abs(west + (x / GRID) * (east - west) - lon)).toBeLessThanOrEqual((east - west) / GRID / 2 + 1e-12);
        expect(Math.abs(south + (y / GRID) * (north - south) - lat)).toBeLessThanOrEqual((north - south) / GRID / 2 + 1e-12);
      });
    });
  });

  it('behavior: one stationary device (a box of no size) and empty tracks encode without dividing by zero', () => {
    const encoded = encodeTracks({
      bounds: [13.4, 52.5, 13.4, 52.5],
      tracks: [
        { deviceId: 'a', profile: 'stationary', flagged: false, attached: false, points: [[13.4, 52.5], [13.4, 52.5]] },
        { deviceId: 'b', profile: 'stationary', flagged: false, attached: false, points: [] },
      ],
      readings: 2,
      kept: 2,
    });
    expect(encoded.tracks).toEqual([[0, 0, 0, 0, 0, 0]]);
  });
});

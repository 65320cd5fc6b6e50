import { describe, expect, it } from 'vitest';
import { createIdentityFactory, createImeiFactory, isValidImei, luhnCheckDigit } from '../../devices/index.ts';

/** Independent Luhn validation over all 15 digits: double every second digit from the right. */
function luhnValid(number: string): boolean {
  let sum = 0;
  for (let i = 0; i < number.length; i++) {
    let d = Number(number[number.length - 1 - i]);
    if (i % 2 === 1) d = d * 2 > 9 ? d * 2 - 9 : d * 2;
    sum += d;
  }
  return sum % 10 === 0;
}

describe('device identity', () => {
  it('behavior: the Luhn check digit matches the textbook IMEI 49015420323751-8', () => {
    expect(luhnCheckDigit('49015420323751')).toBe(8);
    expect(isValidImei('490154203237518')).toBe(true);
    expect(isValidImei('490154203237517')).toBe(false);
    expect(isValidImei('49015420323751')).toBe(false);
  });

  it('behavior: IMEIs are 15 digits, Luhn-valid and unique across 200,000 devices and a TAC boundary', () => {
    const imeiOf = createImeiFactory(7);
    const ids = new Set<string>();
    const indices = [...Array.from({ length: 200_000 }, (_, i) => i), 999_999, 1_000_000, 1_000_001];
    const bad: string[] = [];
    for (const index of indices) {
      const id = imeiOf(index);
      if (!/^35\d{13}$/.test(id) || !luhnValid(id)) bad.push(id);
      ids.add(id);
    }
    expect(bad).toEqual([]);
    expect(ids.size).toBe(indices.length);
    expect(createIdentityFactory(7)(12).id).toBe(imeiOf(12));
  });

  it('args: identities depend on (seed, index) only, not on the order they are made in', () => {
    const a = createIdentityFactory('berlin');
    const b = createIdentityFactory('berlin');
    const forward = [0, 1, 2].map(a);
    const backward = [2, 1, 0].map(b).reverse();
    expect(backward).toEqual(forward);
    expect(forward[0]!.name).toMatch(/^[A-Z][\w' -]+'s Pebble \d{4}$/);
    expect(forward[0]!.name.endsWith(forward[0]!.id.slice(-4))).toBe(true);
    expect(forward[0]!.ownerAddress).toMatch(/^0x[0-9a-fA-F]{40}$/);
    expect(createIdentityFactory('paris')(0).id).not.toBe(forward[0]!.id);
  });
});

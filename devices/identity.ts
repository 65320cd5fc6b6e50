import { Faker, base, en } from '@faker-js/faker';
import { deriveOwnerAccount, type Hex } from './crypto/ethereum.ts';
import { deriveWords, type Seed } from './derive.ts';

/** Who a device is: its IMEI (the Pebble's device id), a display name and its owner's account. */
export interface DeviceIdentity {
  /** 15-digit IMEI: 8-digit TAC, 6-digit serial, Luhn check digit (3GPP TS 23.003 §6.2.1). */
  readonly id: string;
  readonly name: string;
  readonly ownerAddress: Hex;
  readonly ownerPrivateKey: Hex;
}

const SERIALS = 1_000_000;

/**
 * IMEIs for one scenario seed, unique within the fleet by construction: the serial is an affine
 * bijection of the index modulo 10^6 (the multiplier is coprime to 10), and every further million
 * devices moves to the next TAC, as a manufacturer allocates a new one.
 */
export function createImeiFactory(seed: Seed): (index: number) => string {
  const faker = new Faker({ locale: [en, base] });
  faker.seed(deriveWords(seed, 'imei-tac', 0));
  // "35" is a GSMA reporting-body prefix common among IoT modules.
  const tacSuffix = Number(faker.string.numeric({ length: 6, allowLeadingZeros: true }));
  const [w0, w1] = deriveWords(seed, 'imei-serial', 0);
  let multiplier = (w0 % SERIALS) | 1;
  if (multiplier % 5 === 0) multiplier = (multiplier + 2) % SERIALS;
  const offset = w1 % SERIALS;
  return (index) => {
    const serial = (multiplier * (index % SERIALS) + offset) % SERIALS;
    const tac = 35_000_000 + ((tacSuffix + Math.floor(index / SERIALS)) % 1_000_000);
    const body = `${tac}${String(serial).padStart(6, '0')}`;
    return `${body}${luhnCheckDigit(body)}`;
  };
}

/** Identities for one scenario seed; each depends on (seed, index) only. */
export function createIdentityFactory(seed: Seed): (index: number) => DeviceIdentity {
  const imeiOf = createImeiFactory(seed);
  const faker = new Faker({ locale: [en, base] });
  return (index) => {
    const id = imeiOf(index);
    faker.seed(deriveWords(seed, 'identity', index));
    const name = `${faker.person.firstName()}'s Pebble ${id.slice(-4)}`;
    const owner = deriveOwnerAccount(seed, index);
    return { id, name, ownerAddress: owner.address, ownerPrivateKey: owner.privateKey };
  };
}

/** Luhn check digit over a string of decimal digits (ISO/IEC 7812-1 Annex B). */
export function luhnCheckDigit(digits: string): number {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    // Doubling starts at the rightmost digit of the body, which sits next to the check digit.
    let d = digits.charCodeAt(digits.length - 1 - i) - 48;
    if (i % 2 === 0) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return (10 - (sum % 10)) % 10;
}

export function isValidImei(value: string): boolean {
  return /^\d{15}$/.test(value) && luhnCheckDigit(value.slice(0, 14)) === Number(value[14]);
}

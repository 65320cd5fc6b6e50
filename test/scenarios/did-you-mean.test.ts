import { describe, expect, it } from 'vitest';
import { closestMatch } from '../../scenarios/did-you-mean.ts';
import { editDistance } from '../../core/closest-names.ts';

describe('did you mean', () => {
  it('behavior: edit distance counts insertions, deletions and substitutions', () => {
    expect(editDistance('motoin', 'motion')).toBe(2);
    expect(editDistance('epoch', 'epochs')).toBe(1);
    expect(editDistance('', 'abc')).toBe(3);
    expect(editDistance('same', 'same')).toBe(0);
  });

  it('behavior: the closest candidate within 2 edits or a third of the length; case ignored', () => {
    expect(closestMatch('motoin', ['profile', 'count', 'motion'])).toBe('motion');
    expect(closestMatch('Count', ['motion', 'count'])).toBe('count');
    expect(closestMatch('uplodPeriodSecs', ['uploadPeriodS'])).toBe('uploadPeriodS');
  });

  it('behavior: nothing when no candidate is close', () => {
    expect(closestMatch('bonus', ['unitsPerSample', 'maxStepE7', 'rewardPerUnitWei'])).toBeUndefined();
    expect(closestMatch('ab', ['cd'])).toBeUndefined();
    expect(closestMatch('x', [])).toBeUndefined();
  });
});

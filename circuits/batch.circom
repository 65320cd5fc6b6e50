pragma circom 2.1.0;

include "circomlib/circuits/bitify.circom";
include "circomlib/circuits/comparators.circom";
include "poseidon-chain.circom";

// |x| for a field element x that must lie in (-2^n, 2^n): the prover supplies a < 2^n with
// (x - a)(x + a) = 0, so x = ±a; p > 2^(n+1) leaves one such a. Any other x has no witness.
template SmallAbs(n) {
    signal input in;
    signal output out;

    // circom compares field elements as signed values in (-p/2, p/2].
    out <-- in < 0 ? -in : in;
    component bits = Num2Bits(n);
    bits.in <== out;
    (in - out) * (in + out) === 0;
}

// One epoch batch of B devices × K readings. Mirrors core/reward-rule.ts:
//   deviceIndex_d = batch·B + d + 1 (fixed assignment, no public index)
//   present = (ts != 0); absent readings are (0, 0, 0) and unflagged; present ones fill from the front
//   u_i = present_i ∧ ¬flag_i;  a step i counts iff u_i ∧ u_{i-1}, and then |Δlat|, |Δlon| < 2^20
//   units_d = Σ u_i · unitsPerSample + Σ counted min(|Δlat| + |Δlon|, maxStepE7)
//   commitment = PoseidonChain(header, leaf_0 … leaf_{B-1})
//   header = epoch + batch·2^32 + unitsPerSample·2^64 + maxStepE7·2^96 (parts range-checked < 2^32)
//            + capUnits·2^128 (< 2^40) + minSamples·2^168 (< 2^4) + epochPenalty·2^172 (a bit)
//   and the reward policy's per-device part (core/reward-policy/rewards.ts, steps 2–5; 0 = off):
//   raw_d = units_d + coverage_d (coverage_d < 2^36, committed in the leaf beside the flags)
//   paid_d = 0 if epochPenalty ∧ Σ flag_i > 0, or if Σ u_i < minSamples; else min(raw_d, capUnits) (capUnits 0: raw_d)
//   leaf_d = PoseidonChain(deviceIndex_d, flagsPacked_d + coverage_d·2^16, lat_0, lon_0, ts_0, …)
//   flagged_d = (Σ flag_i > 0), what a stake policy slashes (core/reward-policy/rewards.ts)
//   lane_l = Σ_j paid_{6l+j} · 2^(40j) + Σ_j flagged_{6l+j} · 2^(240+j)
// Public inputs are declared first and in the order the contract reads them.
template BatchRewards(B, K, L) {
    signal input header;
    signal input commitment;
    signal input lane[L];

    signal input epoch;
    signal input batch;
    signal input unitsPerSample;
    signal input maxStepE7;
    signal input capUnits;
    signal input minSamples;
    signal input epochPenalty;
    signal input coverage[B];
    signal input lat[B][K];
    signal input lon[B][K];
    signal input ts[B][K];
    signal input flag[B][K];

    component headerBits[4];
    headerBits[0] = Num2Bits(32);
    headerBits[0].in <== epoch;
    headerBits[1] = Num2Bits(32);
    headerBits[1].in <== batch;
    headerBits[2] = Num2Bits(32);
    headerBits[2].in <== unitsPerSample;
    headerBits[3] = Num2Bits(32);
    headerBits[3].in <== maxStepE7;
    component capBits = Num2Bits(40);
    capBits.in <== capUnits;
    component minBits = Num2Bits(4);
    minBits.in <== minSamples;
    epochPenalty * (1 - epochPenalty) === 0;
    header === epoch + batch * (1 << 32) + unitsPerSample * (1 << 64) + maxStepE7 * (1 << 96)
        + capUnits * (1 << 128) + minSamples * (1 << 168) + epochPenalty * (1 << 172);
    // capUnits = 0 means no cap.
    component noCap = IsZero();
    noCap.in <== capUnits;

    // A counted step's distance is below 2^21, so min(dist, cap) = min(dist, min(cap, 2^21)):
    // clamping the cap once lets each step compare 22-bit numbers instead of 33-bit ones.
    component capSmall = LessThan(32);
    capSmall.in[0] <== maxStepE7;
    capSmall.in[1] <== 1 << 21;
    signal capEff <== (1 << 21) + capSmall.out * (maxStepE7 - (1 << 21));

    signal present[B][K];
    signal tsInv[B][K];
    signal counted[B][K];
    signal dLat[B][K];
    signal dLon[B][K];
    signal stepUnits[B][K];
    signal sampleUnits[B];
    signal units[B];
    signal raw[B];
    signal capHit[B];
    signal capped[B];
    signal penalized[B];
    signal keep[B];
    signal paid[B];
    component coverageBits[B];
    component anyFlag[B];
    component enough[B];
    component underCap[B];
    component absLat[B][K];
    component absLon[B][K];
    component under[B][K];
    component leaf[B];

    for (var d = 0; d < B; d++) {
        var samples = 0;
        var travelled = 0;
        var flags = 0;
        var flagCount = 0;
        for (var i = 0; i < K; i++) {
            // present = (ts != 0), binary; an absent reading is all zeros, so the commitment fixes
            // which readings exist.
            tsInv[d][i] <-- ts[d][i] != 0 ? 1 / ts[d][i] : 0;
            present[d][i] <== ts[d][i] * tsInv[d][i];
            ts[d][i] * (1 - present[d][i]) === 0;
            lat[d][i] * (1 - present[d][i]) === 0;
            lon[d][i] * (1 - present[d][i]) === 0;
            // flag ∈ {0, present}: binary, and only present readings can be flagged.
            flag[d][i] * (flag[d][i] - present[d][i]) === 0;
            if (i > 0) {
                present[d][i] * (1 - present[d][i - 1]) === 0;
            }
            // u = present ∧ ¬flag, linear because flag ≤ present.
            samples += present[d][i] - flag[d][i];
            flags += flag[d][i] * (1 << i);
            flagCount += flag[d][i];

            if (i > 0) {
                counted[d][i] <== (present[d][i] - flag[d][i]) * (present[d][i - 1] - flag[d][i - 1]);
                dLat[d][i] <== counted[d][i] * (lat[d][i] - lat[d][i - 1]);
                dLon[d][i] <== counted[d][i] * (lon[d][i] - lon[d][i - 1]);
                absLat[d][i] = SmallAbs(20);
                absLat[d][i].in <== dLat[d][i];
                absLon[d][i] = SmallAbs(20);
                absLon[d][i].in <== dLon[d][i];
                // dist < 2^21 and capEff <= 2^21, both below 2^22: LessThan(22) is sound.
                under[d][i] = LessThan(22);
                under[d][i].in[0] <== absLat[d][i].out + absLon[d][i].out;
                under[d][i].in[1] <== capEff;
                stepUnits[d][i] <== capEff + under[d][i].out * (absLat[d][i].out + absLon[d][i].out - capEff);
                travelled += stepUnits[d][i];
            }
        }
        sampleUnits[d] <== samples * unitsPerSample;
        units[d] <== sampleUnits[d] + travelled;

        // The policy. raw < 2^36 + 2^36 = 2^37 and capUnits < 2^40: LessThan(41) is sound.
        coverageBits[d] = Num2Bits(36);
        coverageBits[d].in <== coverage[d];
        raw[d] <== units[d] + coverage[d];
        underCap[d] = LessThan(41);
        underCap[d].in[0] <== raw[d];
        underCap[d].in[1] <== capUnits;
        capHit[d] <== (1 - noCap.out) * (1 - underCap[d].out);
        capped[d] <== raw[d] + capHit[d] * (capUnits - raw[d]);
        // Σ flag ≤ K and Σ u ≤ K ≤ 15, minSamples < 16: 5-bit comparisons are sound.
        anyFlag[d] = IsZero();
        anyFlag[d].in <== flagCount;
        enough[d] = GreaterEqThan(5);
        enough[d].in[0] <== samples;
        enough[d].in[1] <== minSamples;
        // keep = ¬(epochPenalty ∧ any flag) ∧ enough
        penalized[d] <== epochPenalty * (1 - anyFlag[d].out);
        keep[d] <== (1 - penalized[d]) * enough[d].out;
        paid[d] <== keep[d] * capped[d];

        leaf[d] = PoseidonChain(2 + 3 * K);
        leaf[d].in[0] <== batch * B + d + 1;
        leaf[d].in[1] <== flags + coverage[d] * (1 << 16);
        for (var i = 0; i < K; i++) {
            leaf[d].in[2 + 3 * i] <== lat[d][i];
            leaf[d].in[3 + 3 * i] <== lon[d][i];
            leaf[d].in[4 + 3 * i] <== ts[d][i];
        }
    }

    // paid ≤ raw < 2^37 (units < 2^36: K <= 15, parts < 2^32, steps <= 2^21), so 40-bit lanes
    // cannot overlap, and the six flag bits above bit 240 keep a lane below 2^246 < p.
    for (var l = 0; l < L; l++) {
        var packed = 0;
        for (var j = 0; j < 6; j++) {
            if (6 * l + j < B) {
                packed += paid[6 * l + j] * (1 << (40 * j));
                packed += (1 - anyFlag[6 * l + j].out) * (1 << (240 + j));
            }
        }
        lane[l] === packed;
    }

    component root = PoseidonChain(B + 1);
    root.in[0] <== header;
    for (var d = 0; d < B; d++) {
        root.in[d + 1] <== leaf[d].out;
    }
    root.out === commitment;
}

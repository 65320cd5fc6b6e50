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
//   leaf_d = PoseidonChain(deviceIndex_d, flagsPacked_d, lat_0, lon_0, ts_0, …)
//   commitment = PoseidonChain(header, leaf_0 … leaf_{B-1})
//   header = epoch + batch·2^32 + unitsPerSample·2^64 + maxStepE7·2^96 (parts range-checked < 2^32)
//   lane_l = Σ_j units_{6l+j} · 2^(40j)
// Public inputs are declared first and in the order the contract reads them.
template BatchRewards(B, K, L) {
    signal input header;
    signal input commitment;
    signal input lane[L];

    signal input epoch;
    signal input batch;
    signal input unitsPerSample;
    signal input maxStepE7;
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
    header === epoch + batch * (1 << 32) + unitsPerSample * (1 << 64) + maxStepE7 * (1 << 96);

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
    component absLat[B][K];
    component absLon[B][K];
    component under[B][K];
    component leaf[B];

    for (var d = 0; d < B; d++) {
        var samples = 0;
        var travelled = 0;
        var flags = 0;
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

        leaf[d] = PoseidonChain(2 + 3 * K);
        leaf[d].in[0] <== batch * B + d + 1;
        leaf[d].in[1] <== flags;
        for (var i = 0; i < K; i++) {
            leaf[d].in[2 + 3 * i] <== lat[d][i];
            leaf[d].in[3 + 3 * i] <== lon[d][i];
            leaf[d].in[4 + 3 * i] <== ts[d][i];
        }
    }

    // units < 2^36 (K <= 15, parts < 2^32, steps <= 2^21), so 40-bit lanes cannot overlap.
    for (var l = 0; l < L; l++) {
        var packed = 0;
        for (var j = 0; j < 6; j++) {
            if (6 * l + j < B) {
                packed += units[6 * l + j] * (1 << (40 * j));
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

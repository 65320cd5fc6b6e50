pragma circom 2.1.0;

include "circomlib/circuits/bitify.circom";
include "circomlib/circuits/poseidon.circom";
include "step.circom";

// One epoch batch of B devices with up to K readings each. Mirrors core/reward-rule.ts:
//   units = count·unitsPerSample + Σ_{i≥1} present_i · min(|Δlat| + |Δlon|, maxStepE7)
//   slot[d] = deviceIndex[d]·2^64 + units[d]
//   leaf[d] = Poseidon(deviceIndex[d], packed[d][0..K-1]),  packed = lat + lon·2^32 + ts·2^64
//   commitment = Poseidon(epoch, batch, leaf[0..B-1])
// Public inputs are declared first and in the order the settlement contract reads them.
template BatchRewards(B, K) {
    signal input epoch;
    signal input batch;
    signal input commitment;
    signal input unitsPerSample;
    signal input maxStepE7;
    signal input slot[B];

    signal input deviceIndex[B];
    signal input lat[B][K];
    signal input lon[B][K];
    signal input ts[B][K];
    signal input present[B][K];

    component paramBits[2];
    paramBits[0] = Num2Bits(32);
    paramBits[0].in <== unitsPerSample;
    paramBits[1] = Num2Bits(32);
    paramBits[1].in <== maxStepE7;

    component indexBits[B];
    component latBits[B][K];
    component lonBits[B][K];
    component tsBits[B][K];
    component step[B][K];
    component leaf[B];
    signal packed[B][K];
    signal packedInv[B][K];
    signal stepUnits[B][K];
    signal sampleUnits[B];
    var count[B];
    var travelled[B];

    for (var d = 0; d < B; d++) {
        indexBits[d] = Num2Bits(32);
        indexBits[d].in <== deviceIndex[d];

        count[d] = 0;
        travelled[d] = 0;
        for (var i = 0; i < K; i++) {
            // Readings fill slots from the front: a present reading follows a present one.
            if (i > 0) {
                present[d][i] * (1 - present[d][i - 1]) === 0;
            }

            // Fixed-width coordinates and timestamps make the packing injective and the
            // comparators in CappedStep sound. latU <= 1.8e9 < 2^31, so 31 bits suffice
            // for latitude and save a constraint per reading and per step.
            latBits[d][i] = Num2Bits(31);
            latBits[d][i].in <== lat[d][i];
            lonBits[d][i] = Num2Bits(32);
            lonBits[d][i].in <== lon[d][i];
            tsBits[d][i] = Num2Bits(32);
            tsBits[d][i].in <== ts[d][i];

            packed[d][i] <== lat[d][i] + lon[d][i] * (1 << 32) + ts[d][i] * (1 << 64);
            // present = (packed != 0), which also makes it binary. The commitment binds only
            // packed values, so present must follow from them: otherwise zero slots could be
            // claimed as readings. packed < 2^96 < p, so packed = 0 iff lat = lon = ts = 0;
            // the rule rejects timestampS = 0, so a real reading never packs to 0.
            packedInv[d][i] <-- packed[d][i] != 0 ? 1 / packed[d][i] : 0;
            present[d][i] === packed[d][i] * packedInv[d][i];
            packed[d][i] * (1 - present[d][i]) === 0;

            count[d] += present[d][i];
            if (i > 0) {
                step[d][i] = CappedStep();
                step[d][i].latPrev <== lat[d][i - 1];
                step[d][i].lat <== lat[d][i];
                step[d][i].lonPrev <== lon[d][i - 1];
                step[d][i].lon <== lon[d][i];
                step[d][i].cap <== maxStepE7;
                // present[i] = 1 implies present[i-1] = 1 (checked above), so this is
                // the mask "both readings present".
                stepUnits[d][i] <== present[d][i] * step[d][i].out;
                travelled[d] += stepUnits[d][i];
            }
        }

        sampleUnits[d] <== count[d] * unitsPerSample;
        slot[d] === deviceIndex[d] * (1 << 64) + sampleUnits[d] + travelled[d];

        leaf[d] = Poseidon(K + 1);
        leaf[d].inputs[0] <== deviceIndex[d];
        for (var i = 0; i < K; i++) {
            leaf[d].inputs[i + 1] <== packed[d][i];
        }
    }

    component root = Poseidon(B + 2);
    root.inputs[0] <== epoch;
    root.inputs[1] <== batch;
    for (var d = 0; d < B; d++) {
        root.inputs[d + 2] <== leaf[d].out;
    }
    root.out === commitment;
}

pragma circom 2.1.0;

include "circomlib/circuits/poseidon.circom";

// Poseidon over n inputs, as core/reward-rule.ts poseidonChain: Poseidon of the first
// min(n, 16), then h = Poseidon(h, next ≤ 15) per remaining chunk. circomlib stops at 16 inputs.
template PoseidonChain(n) {
    signal input in[n];
    signal output out;

    var first = n < 16 ? n : 16;
    var nH = n <= 16 ? 1 : 1 + (n - 16 + 14) \ 15;
    component h[nH];
    h[0] = Poseidon(first);
    for (var i = 0; i < first; i++) {
        h[0].inputs[i] <== in[i];
    }
    var pos = first;
    for (var c = 1; c < nH; c++) {
        var m = n - pos < 15 ? n - pos : 15;
        h[c] = Poseidon(m + 1);
        h[c].inputs[0] <== h[c - 1].out;
        for (var j = 0; j < m; j++) {
            h[c].inputs[j + 1] <== in[pos + j];
        }
        pos += m;
    }
    out <== h[nH - 1].out;
}

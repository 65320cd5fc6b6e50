pragma circom 2.1.0;

include "circomlib/circuits/bitify.circom";
include "circomlib/circuits/comparators.circom";

// |a - b| for a, b already range-checked to n bits. The prover supplies d; d < 2^n and
// (a - b - d)(a - b + d) = 0 leave only d = |a - b| because p > 2^(n+1). One constraint
// cheaper than LessThan(n) plus a select.
template AbsDiff(n) {
    signal input a;
    signal input b;
    signal output out;

    out <-- a > b ? a - b : b - a;
    component bits = Num2Bits(n);
    bits.in <== out;
    (a - b - out) * (a - b + out) === 0;
}

// min(|Δlat| + |Δlon|, cap): the capped Manhattan step of core/reward-rule.ts.
// lat is range-checked to 31 bits, lon and cap to 32 bits by the caller, so the distance
// is < 2^33 and LessThan(33) is sound.
template CappedStep() {
    signal input latPrev;
    signal input lat;
    signal input lonPrev;
    signal input lon;
    signal input cap;
    signal output out;

    component dLat = AbsDiff(31);
    dLat.a <== lat;
    dLat.b <== latPrev;
    component dLon = AbsDiff(32);
    dLon.a <== lon;
    dLon.b <== lonPrev;

    signal dist <== dLat.out + dLon.out;
    component under = LessThan(33);
    under.in[0] <== dist;
    under.in[1] <== cap;
    out <== cap + under.out * (dist - cap);
}

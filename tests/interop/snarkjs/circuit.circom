pragma circom 2.1.0;

// settle-core's snarkjs interop circuit (compiled for the BLS12-381 scalar field with
// `circom2 -p bls12381`): a tiny, Poseidon-free keyed hash chain. The prover knows a
// preimage `x` and a key `k`; the one public signal is the chain's end
//
//   h_0 = x,   h_{i+1} = (h_i + k + i)^5   (i = 0..3),   out = h_4
//
// so the verifying key has two IC points (IC[0] for the constant, IC[1] for `out`), and
// `out` is a full-width field element (it exercises every bit of the doubling tables).
template Chain(n) {
    signal input x;
    signal input k;
    signal output out;

    signal t[n];     // h_i + k + i
    signal sq[n];    // t_i^2
    signal qu[n];    // t_i^4
    signal h[n + 1];

    h[0] <== x;
    for (var i = 0; i < n; i++) {
        t[i] <== h[i] + k + i;
        sq[i] <== t[i] * t[i];
        qu[i] <== sq[i] * sq[i];
        h[i + 1] <== qu[i] * t[i];
    }
    out <== h[n];
}

component main = Chain(4);

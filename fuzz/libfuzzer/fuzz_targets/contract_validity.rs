#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| settle_fuzz::contracts::validity::contract_validity(data));

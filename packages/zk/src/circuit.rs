//! The batch circuit: one R1CS for a fixed [`Shape`] that holds exactly when
//! [`settle_core::validity::ledger::Ledger::apply_batch`] would produce the statement.
//!
//! See the crate docs for what each slot constrains and why. Every constraint is written
//! for every slot whatever it holds (a padding slot runs the same gadgets on placeholder
//! values with its checks switched off), so the constraint system does not depend on the
//! witness: [`BatchCircuit::blank`] (for the setup) and [`BatchCircuit::new`] (for a
//! proof) synthesize the same matrices.

use core::fmt;
use core::ops::Range;

use ark_ed_on_bls12_381::constraints::EdwardsVar;
use ark_ed_on_bls12_381::{EdwardsAffine, Fr as JubjubScalar};
use ark_ff::{AdditiveGroup, Field};
use ark_r1cs_std::alloc::AllocVar;
use ark_r1cs_std::boolean::Boolean;
use ark_r1cs_std::eq::EqGadget;
use ark_r1cs_std::fields::fp::FpVar;
use ark_r1cs_std::fields::FieldVar;
use ark_relations::r1cs::{
    ConstraintMatrices, ConstraintSynthesizer, ConstraintSystem, ConstraintSystemRef,
    OptimizationGoal, SynthesisError, SynthesisMode,
};
use settle_core::validity::eddsa::Signature;
use settle_core::validity::ledger::{
    Account, BatchWitness, Deposit, DepositStep, Shape, Statement, TxBody, TxStep,
    MAX_RECIPIENT_LEN,
};
use settle_core::validity::poseidon::{Domain, Poseidon};
use settle_core::validity::tree::{self, DEPTH};
use settle_core::validity::Fr;

use crate::gadgets::eddsa::{witness_point, witness_scalar_bits};
use crate::gadgets::{
    enforce_equal_if, enforce_less_than, enforce_nonzero_if, enforce_zero_bits, from_bits,
    range_check, roots_from_path, two_to, verify_signature, witness, witness_bit, GeneratorPowers,
    PoseidonVar,
};
use crate::Error;

/// Bits of an account index (the tree's depth: 2^20 accounts).
pub const INDEX_BITS: usize = DEPTH;
/// Bits of the account count (it may reach 2^20 itself).
pub const COUNT_BITS: usize = INDEX_BITS + 1;
/// Bits of a balance or an amount.
pub const BALANCE_BITS: usize = 128;
/// Bits of a nonce.
pub const NONCE_BITS: usize = 64;
/// The packed fields of a slot's first element, least significant first, as
/// [`TxBody::slot`] writes them: kind, from, to, amount, recipient length, recipient's
/// last byte.
pub const E0_FIELDS: [usize; 6] = [8, 32, 32, BALANCE_BITS, 8, 8];
/// Bits of a slot's first element (the sum of [`E0_FIELDS`]).
pub const E0_BITS: usize = 216;

/// Which part of the circuit a constraint belongs to (what [`Error::Unsatisfied`] names).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Part {
    /// The statement's hash and the previous state root.
    Statement,
    /// Deposit slot `i`.
    Deposit(usize),
    /// Transaction slot `i`.
    Tx(usize),
    /// The deposit chain's end, the data commitment and the new state root.
    Close,
}

impl fmt::Display for Part {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Part::Statement => f.write_str("the statement and the previous state root"),
            Part::Deposit(i) => write!(f, "deposit slot {i}"),
            Part::Tx(i) => write!(f, "transaction slot {i}"),
            Part::Close => {
                f.write_str("the deposit chain's end, the data commitment or the new state root")
            }
        }
    }
}

/// Constraint index ranges of each part, in synthesis order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Layout(pub Vec<(Part, Range<usize>)>);

impl Layout {
    /// The part constraint `index` belongs to.
    pub fn part_of(&self, index: usize) -> Option<Part> {
        self.0
            .iter()
            .find(|(_, range)| range.contains(&index))
            .map(|(part, _)| *part)
    }

    /// Constraints of `part`.
    pub fn size_of(&self, part: Part) -> usize {
        self.0
            .iter()
            .filter(|(p, _)| *p == part)
            .map(|(_, r)| r.len())
            .sum()
    }
}

/// An account as a slot reads it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct AccountValues {
    x: Fr,
    y: Fr,
    balance: u128,
    nonce: u64,
}

impl AccountValues {
    /// The placeholder of an unused slot: the identity as key (on the curve, as the
    /// signature gadget wants), nothing else.
    const PLACEHOLDER: AccountValues = AccountValues {
        x: Fr::ZERO,
        y: Fr::ONE,
        balance: 0,
        nonce: 0,
    };

    fn of(account: &Account) -> Self {
        let (x, y) = account.key.coordinates();
        AccountValues {
            x,
            y,
            balance: account.balance,
            nonce: account.nonce,
        }
    }
}

/// A deposit slot's witness.
#[derive(Debug, Clone, PartialEq, Eq)]
struct DepositValues {
    active: bool,
    elements: [Fr; 3],
    index: u64,
    account: AccountValues,
    path: Vec<Fr>,
}

impl DepositValues {
    fn padding() -> Self {
        DepositValues {
            active: false,
            elements: [Fr::ZERO; 3],
            index: 0,
            account: AccountValues::PLACEHOLDER,
            path: vec![Fr::ZERO; DEPTH],
        }
    }

    fn of(i: usize, step: &DepositStep) -> Result<Self, Error> {
        check_path(&step.path, || format!("deposit {i}"))?;
        let account = match (step.deposit, step.before) {
            (Deposit::NewAccount { key, .. }, None) => {
                let (x, y) = key.coordinates();
                AccountValues {
                    x,
                    y,
                    balance: 0,
                    nonce: 0,
                }
            }
            (Deposit::Credit { account, .. } | Deposit::Exit { account }, Some(before))
                if account as u64 == step.index =>
            {
                AccountValues::of(&before)
            }
            _ => {
                return Err(Error::Witness(format!(
                    "deposit {i}: the account before does not match the deposit's kind or index"
                )))
            }
        };
        if step.index >= tree::CAPACITY {
            return Err(Error::Witness(format!(
                "deposit {i}: account index {} at or above {}",
                step.index,
                tree::CAPACITY
            )));
        }
        Ok(DepositValues {
            active: true,
            elements: step.deposit.elements(),
            index: step.index,
            account,
            path: step.path.clone(),
        })
    }
}

/// A transaction slot's witness.
#[derive(Debug, Clone, PartialEq, Eq)]
struct TxValues {
    slot: [Fr; 2],
    nonce: u64,
    sender: AccountValues,
    sender_path: Vec<Fr>,
    r: EdwardsAffine,
    s: JubjubScalar,
    recipient: AccountValues,
    recipient_path: Vec<Fr>,
}

impl TxValues {
    fn padding() -> Self {
        TxValues {
            slot: [Fr::ZERO; 2],
            nonce: 0,
            sender: AccountValues::PLACEHOLDER,
            sender_path: vec![Fr::ZERO; DEPTH],
            r: EdwardsAffine::zero(),
            s: JubjubScalar::ZERO,
            recipient: AccountValues::PLACEHOLDER,
            recipient_path: vec![Fr::ZERO; DEPTH],
        }
    }

    fn of(i: usize, step: &TxStep) -> Result<Self, Error> {
        let what = || format!("transaction {i}");
        if let TxBody::Withdraw { recipient, .. } = &step.tx.body {
            // A longer recipient does not fit a slot; a shorter one of a length other
            // than 20 or 32 fits, and the slot's constraints refuse it.
            if recipient.len() > MAX_RECIPIENT_LEN {
                return Err(Error::Witness(format!(
                    "transaction {i}: recipient of {} bytes (at most {MAX_RECIPIENT_LEN})",
                    recipient.len()
                )));
            }
        }
        check_path(&step.sender_path, what)?;
        let Signature { r, s } = step.tx.signature;
        // The addition formulas divide by zero off the curve: such an R is refused here
        // (the native decoder refuses it too), not half-way through synthesis.
        if !r.is_on_curve() {
            return Err(Error::Witness(format!(
                "transaction {i}: the signature's R is not on the curve"
            )));
        }
        let (recipient, recipient_path) = match (&step.tx.body, &step.recipient) {
            (TxBody::Transfer { .. }, Some((account, path))) => {
                check_path(path, what)?;
                (AccountValues::of(account), path.clone())
            }
            (TxBody::Withdraw { .. }, None) => (AccountValues::PLACEHOLDER, vec![Fr::ZERO; DEPTH]),
            _ => {
                return Err(Error::Witness(format!(
                    "transaction {i}: a transfer needs its recipient, a withdrawal has none"
                )))
            }
        };
        Ok(TxValues {
            slot: step.tx.body.slot(),
            nonce: step.tx.nonce,
            sender: AccountValues::of(&step.sender),
            sender_path: step.sender_path.clone(),
            r,
            s,
            recipient,
            recipient_path,
        })
    }
}

fn check_path(path: &[Fr], what: impl Fn() -> String) -> Result<(), Error> {
    if path.len() != DEPTH {
        return Err(Error::Witness(format!(
            "{}: a path of {} siblings (the tree has depth {DEPTH})",
            what(),
            path.len()
        )));
    }
    Ok(())
}

/// The whole witness, every slot filled.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Values {
    statement: Statement,
    prev_accounts_root: Fr,
    prev_count: u64,
    deposits: Vec<DepositValues>,
    txs: Vec<TxValues>,
}

/// The validity rollup's batch circuit for one [`Shape`]; its one public input is
/// [`Statement::public_input`].
///
/// ```no_run
/// # use settle_zk::BatchCircuit;
/// # use settle_core::validity::ledger::{Ledger, Shape};
/// # use settle_core::validity::Fr;
/// let shape = Shape { deposits: 2, txs: 4 };
/// let setup_circuit = BatchCircuit::blank(shape); // for the keys
/// let mut ledger = Ledger::new();
/// let (witness, _data) = ledger
///     .apply_batch(shape, &Fr::from(1u64), &Fr::from(0u64), &[], &[])
///     .unwrap();
/// let circuit = BatchCircuit::new(&witness).unwrap(); // for a proof
/// circuit.check().unwrap(); // satisfied: the ledger accepted it
/// ```
#[derive(Debug, Clone)]
pub struct BatchCircuit {
    shape: Shape,
    values: Option<Values>,
    public_input: Option<Fr>,
}

impl BatchCircuit {
    /// The circuit without a witness: what the setup synthesizes.
    pub fn blank(shape: Shape) -> Self {
        BatchCircuit {
            shape,
            values: None,
            public_input: None,
        }
    }

    /// The circuit with `witness` ([`settle_core::validity::ledger::Ledger::apply_batch`]'s),
    /// unused slots filled with padding. Refused when the witness does not fit its shape or
    /// is not one the native ledger could have produced; a witness that is well formed but
    /// wrong is accepted here and fails [`BatchCircuit::check`].
    pub fn new(witness: &BatchWitness) -> Result<Self, Error> {
        let shape = witness.shape;
        if witness.deposits.len() > shape.deposits || witness.txs.len() > shape.txs {
            return Err(Error::TooLarge {
                shape,
                deposits: witness.deposits.len(),
                txs: witness.txs.len(),
            });
        }
        let mut deposits = witness
            .deposits
            .iter()
            .enumerate()
            .map(|(i, step)| DepositValues::of(i, step))
            .collect::<Result<Vec<_>, _>>()?;
        deposits.resize(shape.deposits, DepositValues::padding());
        let mut txs = witness
            .txs
            .iter()
            .enumerate()
            .map(|(i, step)| TxValues::of(i, step))
            .collect::<Result<Vec<_>, _>>()?;
        txs.resize(shape.txs, TxValues::padding());
        Ok(BatchCircuit {
            shape,
            public_input: Some(witness.statement.public_input(&Poseidon::new())),
            values: Some(Values {
                statement: witness.statement,
                prev_accounts_root: witness.prev_accounts_root,
                prev_count: witness.prev_count,
                deposits,
                txs,
            }),
        })
    }

    /// The same circuit claiming another public input (to show a wrong statement fails).
    pub fn with_public_input(mut self, public_input: Fr) -> Self {
        self.public_input = Some(public_input);
        self
    }

    /// The same witness with deposit slot `slot` turned into padding (to show that
    /// padding must come last and that a skipped deposit breaks the chain). No change for
    /// a blank circuit or a slot it does not have.
    pub fn with_deposit_slot_unused(mut self, slot: usize) -> Self {
        if let Some(deposit) = self.values.as_mut().and_then(|v| v.deposits.get_mut(slot)) {
            *deposit = DepositValues::padding();
        }
        self
    }

    pub fn shape(&self) -> Shape {
        self.shape
    }

    /// The public input this circuit proves (`None` without a witness).
    pub fn public_input(&self) -> Option<Fr> {
        self.public_input
    }

    /// Synthesizes with the witness and reports the first unsatisfied constraint and its
    /// part, if any (`Err(Synthesis(AssignmentMissing))` for a blank circuit). Cheaper than
    /// proving: the linear combinations are evaluated as they are, not inlined.
    ///
    /// When a constraint fails, arkworks prints a line to stderr suggesting a tracing
    /// layer; the error here already names the part.
    pub fn check(&self) -> Result<(), Error> {
        let cs = ConstraintSystem::<Fr>::new_ref();
        cs.set_optimization_goal(OptimizationGoal::Constraints);
        let layout = self.synthesize(cs.clone())?;
        let Some(trace) = cs.which_is_unsatisfied()? else {
            return Ok(());
        };
        // Without a tracing layer the trace is the constraint's index; with one, find the
        // index on the inlined matrices.
        let constraint = match trace.parse::<usize>() {
            Ok(index) => index,
            Err(_) => {
                cs.finalize();
                let synthesized = Synthesized::from_finalized(&cs, layout.clone())?;
                synthesized.first_unsatisfied().unwrap_or(usize::MAX)
            }
        };
        Err(Error::Unsatisfied {
            part: layout.part_of(constraint).unwrap_or(Part::Close),
            constraint,
        })
    }

    /// Synthesizes (in setup mode when the circuit is blank, with the witness otherwise),
    /// inlines, and returns the counts and the layout: the same for both, whatever the
    /// witness (the keys depend on it).
    pub fn measure(&self) -> Result<Measure, Error> {
        let cs = ConstraintSystem::<Fr>::new_ref();
        cs.set_optimization_goal(OptimizationGoal::Constraints);
        if self.values.is_none() {
            cs.set_mode(SynthesisMode::Setup);
        }
        let layout = self.synthesize(cs.clone())?;
        cs.finalize();
        Ok(Measure {
            constraints: cs.num_constraints(),
            instance_variables: cs.num_instance_variables(),
            witness_variables: cs.num_witness_variables(),
            layout,
        })
    }

    /// Synthesizes with the witness, inlines the linear combinations and builds the
    /// matrices: everything the Groth16 prover needs.
    pub(crate) fn synthesize_for_proof(&self) -> Result<Synthesized, Error> {
        let cs = ConstraintSystem::<Fr>::new_ref();
        cs.set_optimization_goal(OptimizationGoal::Constraints);
        let layout = self.synthesize(cs.clone())?;
        cs.finalize();
        Synthesized::from_finalized(&cs, layout)
    }

    /// Writes every constraint into `cs` and returns which part each one belongs to.
    pub fn synthesize(&self, cs: ConstraintSystemRef<Fr>) -> Result<Layout, SynthesisError> {
        let mut layout = Layout::default();
        let mut mark = cs.num_constraints();
        let mut close = |cs: &ConstraintSystemRef<Fr>, part: Part, layout: &mut Layout| {
            let now = cs.num_constraints();
            layout.0.push((part, mark..now));
            mark = now;
        };
        let ctx = Ctx {
            cs: cs.clone(),
            hasher: PoseidonVar::new(cs.clone()),
            powers: GeneratorPowers::new(),
        };
        let v = self.values.as_ref();

        // The statement: six witnesses whose hash is the one public input.
        let public = FpVar::new_input(cs.clone(), || {
            self.public_input.ok_or(SynthesisError::AssignmentMissing)
        })?;
        let st = v.map(|v| v.statement);
        let [domain, prev_state, new_state, data, deposits_before, deposits_after] = [
            st.map(|s| s.domain),
            st.map(|s| s.prev_state_root),
            st.map(|s| s.new_state_root),
            st.map(|s| s.data_commitment),
            st.map(|s| s.deposits_before),
            st.map(|s| s.deposits_after),
        ]
        .map(|x| witness(&cs, x));
        let (domain, prev_state, new_state, data, deposits_before, deposits_after) = (
            domain?,
            prev_state?,
            new_state?,
            data?,
            deposits_before?,
            deposits_after?,
        );
        ctx.hasher
            .hash(
                Domain::Statement,
                &[
                    domain.clone(),
                    prev_state.clone(),
                    new_state.clone(),
                    data.clone(),
                    deposits_before.clone(),
                    deposits_after.clone(),
                ],
            )?
            .enforce_equal(&public)?;

        // The state before: Poseidon_State(accounts root, count).
        let mut state = State {
            root: witness(&cs, v.map(|v| v.prev_accounts_root))?,
            count: witness(&cs, v.map(|v| Fr::from(v.prev_count)))?,
            head: deposits_before,
        };
        range_check(&state.count, COUNT_BITS)?;
        ctx.hasher
            .hash(Domain::State, &[state.root.clone(), state.count.clone()])?
            .enforce_equal(&prev_state)?;
        close(&cs, Part::Statement, &mut layout);

        let mut previous_active = Boolean::TRUE;
        let mut exits = Vec::with_capacity(self.shape.deposits);
        for i in 0..self.shape.deposits {
            let values = v.map(|v| &v.deposits[i]);
            let (active, exited) = ctx.deposit_slot(values, &mut state, &previous_active)?;
            previous_active = active;
            exits.push(exited);
            close(&cs, Part::Deposit(i), &mut layout);
        }

        // The data: every transaction slot's two elements, then what each deposit slot's
        // exit request withdrew (`BatchData::commitment`).
        let mut elements = Vec::with_capacity(2 * self.shape.txs + self.shape.deposits);
        for i in 0..self.shape.txs {
            let values = v.map(|v| &v.txs[i]);
            elements.extend(ctx.tx_slot(values, &domain, &mut state)?);
            close(&cs, Part::Tx(i), &mut layout);
        }
        elements.extend(exits);

        state.head.enforce_equal(&deposits_after)?;
        ctx.hasher
            .hash(Domain::Data, &elements)?
            .enforce_equal(&data)?;
        ctx.hasher
            .hash(Domain::State, &[state.root, state.count])?
            .enforce_equal(&new_state)?;
        close(&cs, Part::Close, &mut layout);
        Ok(layout)
    }
}

impl ConstraintSynthesizer<Fr> for BatchCircuit {
    fn generate_constraints(self, cs: ConstraintSystemRef<Fr>) -> Result<(), SynthesisError> {
        self.synthesize(cs).map(|_| ())
    }
}

/// Counts of a synthesized circuit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Measure {
    pub constraints: usize,
    /// Including the constant one: 2 for the one public input.
    pub instance_variables: usize,
    pub witness_variables: usize,
    pub layout: Layout,
}

/// A circuit synthesized with its witness.
pub(crate) struct Synthesized {
    pub matrices: ConstraintMatrices<Fr>,
    /// The instance assignment (the constant one first) followed by the witness.
    pub assignment: Vec<Fr>,
    pub layout: Layout,
}

impl Synthesized {
    fn from_finalized(cs: &ConstraintSystemRef<Fr>, layout: Layout) -> Result<Self, Error> {
        let matrices = cs
            .to_matrices()
            .ok_or(Error::Synthesis(SynthesisError::AssignmentMissing))?;
        let inner = cs.borrow().ok_or(SynthesisError::MissingCS)?;
        let mut assignment = inner.instance_assignment.clone();
        assignment.extend_from_slice(&inner.witness_assignment);
        Ok(Synthesized {
            matrices,
            assignment,
            layout,
        })
    }

    /// The first constraint `<a, z> · <b, z> = <c, z>` that does not hold.
    pub fn first_unsatisfied(&self) -> Option<usize> {
        let z = &self.assignment;
        let eval = |row: &[(Fr, usize)]| -> Fr { row.iter().map(|(c, i)| *c * z[*i]).sum() };
        let m = &self.matrices;
        (0..m.num_constraints).find(|&i| eval(&m.a[i]) * eval(&m.b[i]) != eval(&m.c[i]))
    }
}

/// The running state between slots.
struct State {
    root: FpVar<Fr>,
    count: FpVar<Fr>,
    head: FpVar<Fr>,
}

/// An account read from a slot's witness: balance and nonce range-checked, so that
/// `balance | nonce << 128` has exactly one reading.
struct AccountVar {
    x: FpVar<Fr>,
    y: FpVar<Fr>,
    balance: FpVar<Fr>,
    nonce: FpVar<Fr>,
}

impl AccountVar {
    fn witness(
        cs: &ConstraintSystemRef<Fr>,
        v: Option<AccountValues>,
    ) -> Result<Self, SynthesisError> {
        let account = AccountVar {
            x: witness(cs, v.map(|a| a.x))?,
            y: witness(cs, v.map(|a| a.y))?,
            balance: witness(cs, v.map(|a| Fr::from(a.balance)))?,
            nonce: witness(cs, v.map(|a| Fr::from(a.nonce)))?,
        };
        range_check(&account.balance, BALANCE_BITS)?;
        range_check(&account.nonce, NONCE_BITS)?;
        Ok(account)
    }

    /// `Poseidon_Leaf(x, y, balance | nonce << 128)` with the given balance and nonce.
    fn leaf(
        &self,
        hasher: &PoseidonVar,
        balance: &FpVar<Fr>,
        nonce: &FpVar<Fr>,
    ) -> Result<FpVar<Fr>, SynthesisError> {
        let packed = balance + nonce * two_to(BALANCE_BITS as u64);
        hasher.hash(Domain::Leaf, &[self.x.clone(), self.y.clone(), packed])
    }
}

/// What every slot shares.
struct Ctx {
    cs: ConstraintSystemRef<Fr>,
    hasher: PoseidonVar,
    powers: GeneratorPowers,
}

impl Ctx {
    fn bits(&self, value: Option<u64>, n: usize) -> Result<Vec<Boolean<Fr>>, SynthesisError> {
        (0..n)
            .map(|i| witness_bit(&self.cs, value.map(|v| (v >> i) & 1 == 1)))
            .collect()
    }

    fn path(&self, path: Option<&[Fr]>) -> Result<Vec<FpVar<Fr>>, SynthesisError> {
        (0..DEPTH)
            .map(|l| witness(&self.cs, path.map(|p| p[l])))
            .collect()
    }

    /// One deposit slot (a deposit or an exit request): returns whether it is used, and
    /// what an exit request withdrew (zero for anything else).
    fn deposit_slot(
        &self,
        v: Option<&DepositValues>,
        state: &mut State,
        previous_active: &Boolean<Fr>,
    ) -> Result<(Boolean<Fr>, FpVar<Fr>), SynthesisError> {
        let cs = &self.cs;
        let zero = FpVar::zero();
        let active = witness_bit(cs, v.map(|v| v.active))?;
        // Padding only after the real deposits.
        active.conditional_enforce_equal(&Boolean::FALSE, &!previous_active)?;

        let [a, b, c] = [0, 1, 2].map(|k| witness(cs, v.map(|v| v.elements[k])));
        let (a, b, c) = (a?, b?, c?);
        // c = amount | new-account flag << 128 | exit flag << 129 (`Deposit::elements`).
        let c_bits = range_check(&c, BALANCE_BITS + 2)?;
        let amount = from_bits(&c_bits[..BALANCE_BITS]);
        // A padding slot carries nothing (so it is no new account and no exit either).
        enforce_equal_if(&c, &zero, &!&active)?;
        let is_new = c_bits[BALANCE_BITS].clone();
        let is_exit = c_bits[BALANCE_BITS + 1].clone();
        Boolean::enforce_kary_nand(&[is_new.clone(), is_exit.clone()])?;
        // An exit request brings nothing in.
        enforce_equal_if(&amount, &zero, &is_exit)?;
        // A credit or an exit request names an existing account.
        let is_existing = &active & &!&is_new;

        // The deposit chain: Poseidon_Deposit(head, a, b, c).
        let linked = self.hasher.hash(
            Domain::Deposit,
            &[state.head.clone(), a.clone(), b.clone(), c.clone()],
        )?;
        state.head = active.select(&linked, &state.head)?;

        // Where it lands: a new account is the next one (so the count stays at most
        // 2^20); a credit names an existing one as (index, 0, amount).
        let index_bits = self.bits(v.map(|v| v.index), INDEX_BITS)?;
        let index = from_bits(&index_bits);
        enforce_equal_if(&index, &state.count, &is_new)?;
        enforce_equal_if(&index, &a, &is_existing)?;
        enforce_equal_if(&b, &zero, &is_existing)?;
        enforce_less_than(&index, &state.count, INDEX_BITS, &is_existing)?;

        // The account before: for a new one, the empty leaf, and the key from the deposit.
        let account = AccountVar::witness(cs, v.map(|v| v.account))?;
        enforce_equal_if(&account.x, &a, &is_new)?;
        enforce_equal_if(&account.y, &b, &is_new)?;
        enforce_equal_if(&account.balance, &zero, &is_new)?;
        enforce_equal_if(&account.nonce, &zero, &is_new)?;
        let old_leaf = account.leaf(&self.hasher, &account.balance, &account.nonce)?;
        let old_leaf = is_new.select(&zero, &old_leaf)?;

        // The credit: the balance never wraps. An exit request leaves the account empty
        // (key and nonce stay) and withdraws its whole balance.
        let balance = &account.balance + &amount;
        range_check(&balance, BALANCE_BITS)?;
        let balance = is_exit.select(&zero, &balance)?;
        let exited = is_exit.select(&account.balance, &zero)?;
        let new_leaf = account.leaf(&self.hasher, &balance, &account.nonce)?;

        let path = self.path(v.map(|v| v.path.as_slice()))?;
        let (before, after) =
            roots_from_path(&self.hasher, &old_leaf, &new_leaf, &index_bits, &path)?;
        enforce_equal_if(&before, &state.root, &active)?;
        state.root = active.select(&after, &state.root)?;
        state.count = &state.count + FpVar::from(is_new);
        Ok((active, exited))
    }

    /// One transaction slot: returns its two data elements.
    fn tx_slot(
        &self,
        v: Option<&TxValues>,
        domain: &FpVar<Fr>,
        state: &mut State,
    ) -> Result<[FpVar<Fr>; 2], SynthesisError> {
        let cs = &self.cs;
        let zero = FpVar::zero();
        let e0 = witness(cs, v.map(|v| v.slot[0]))?;
        let e1 = witness(cs, v.map(|v| v.slot[1]))?;

        // e0 = kind | from << 8 | to << 40 | amount << 72 | len << 200 | r[31] << 208.
        let bits = range_check(&e0, E0_BITS)?;
        let (kind, rest) = bits.split_at(E0_FIELDS[0]);
        let (from, rest) = rest.split_at(E0_FIELDS[1]);
        let (to, rest) = rest.split_at(E0_FIELDS[2]);
        let (amount_bits, recipient_bits) = rest.split_at(E0_FIELDS[3]);
        let len = from_bits(&recipient_bits[..E0_FIELDS[4]]);

        // kind 0 (padding), 1 (transfer) or 2 (withdrawal).
        enforce_zero_bits(&kind[2..])?;
        let is_transfer = kind[0].clone();
        let is_withdraw = kind[1].clone();
        Boolean::enforce_kary_nand(&[is_transfer.clone(), is_withdraw.clone()])?;
        let active = &is_transfer | &is_withdraw;
        // Account indices inside the tree.
        enforce_zero_bits(&from[INDEX_BITS..])?;
        enforce_zero_bits(&to[INDEX_BITS..])?;
        let (from, to) = (&from[..INDEX_BITS], &to[..INDEX_BITS]);
        let (from_index, to_index) = (from_bits(from), from_bits(to));
        let amount = from_bits(amount_bits);

        // The slot is exactly what `TxBody::slot` writes: padding is zeros, a withdrawal
        // has no `to`, a transfer no recipient, a recipient has 20 or 32 bytes
        // (`ledger::recipient_len_ok`): `(len - 20)(len - 32) = 0`.
        enforce_equal_if(&e0, &zero, &!&active)?;
        enforce_equal_if(&e1, &zero, &!&active)?;
        enforce_equal_if(&to_index, &zero, &is_withdraw)?;
        enforce_equal_if(&from_bits(recipient_bits), &zero, &is_transfer)?;
        enforce_equal_if(&e1, &zero, &is_transfer)?;
        let len_rule = (&len - Fr::from(20u64)) * (&len - Fr::from(32u64));
        enforce_equal_if(&len_rule, &zero, &is_withdraw)?;

        // The sender, under the current root.
        let nonce = witness(cs, v.map(|v| Fr::from(v.nonce)))?;
        let sender = AccountVar::witness(cs, v.map(|v| v.sender))?;
        enforce_less_than(&from_index, &state.count, INDEX_BITS, &active)?;
        let leaf = sender.leaf(&self.hasher, &sender.balance, &sender.nonce)?;

        // The signature on Poseidon_TxMessage(domain, e0, e1, nonce).
        let message = self.hasher.hash(
            Domain::TxMessage,
            &[domain.clone(), e0.clone(), e1.clone(), nonce.clone()],
        )?;
        let key = EdwardsVar::new(sender.x.clone(), sender.y.clone());
        let r = witness_point(cs, v.map(|v| v.r))?;
        let s = witness_scalar_bits(cs, v.map(|v| v.s))?;
        verify_signature(&self.hasher, &self.powers, &key, &r, &s, &message, &active)?;

        // The debit (`settle_core::ledger::debit`): the nonce is the account's, it does not
        // run out, the amount is not zero and covered.
        enforce_equal_if(&nonce, &sender.nonce, &active)?;
        let next_nonce = &sender.nonce + Fr::ONE;
        range_check(&next_nonce, NONCE_BITS)?;
        enforce_nonzero_if(&amount, &active)?;
        let remaining = &sender.balance - &amount;
        range_check(&remaining, BALANCE_BITS)?;
        let new_leaf = sender.leaf(&self.hasher, &remaining, &next_nonce)?;
        let path = self.path(v.map(|v| v.sender_path.as_slice()))?;
        let (before, after) = roots_from_path(&self.hasher, &leaf, &new_leaf, from, &path)?;
        enforce_equal_if(&before, &state.root, &active)?;
        state.root = active.select(&after, &state.root)?;

        // The credit of a transfer (`settle_core::ledger::credit`), read after the sender's
        // update: a self-transfer credits the debited balance back.
        let recipient = AccountVar::witness(cs, v.map(|v| v.recipient))?;
        enforce_less_than(&to_index, &state.count, INDEX_BITS, &is_transfer)?;
        let leaf = recipient.leaf(&self.hasher, &recipient.balance, &recipient.nonce)?;
        let credited = &recipient.balance + &amount;
        range_check(&credited, BALANCE_BITS)?;
        let new_leaf = recipient.leaf(&self.hasher, &credited, &recipient.nonce)?;
        let path = self.path(v.map(|v| v.recipient_path.as_slice()))?;
        let (before, after) = roots_from_path(&self.hasher, &leaf, &new_leaf, to, &path)?;
        enforce_equal_if(&before, &state.root, &is_transfer)?;
        state.root = is_transfer.select(&after, &state.root)?;

        Ok([e0, e1])
    }
}

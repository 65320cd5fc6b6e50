// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {DeviceRegistry} from "./DeviceRegistry.sol";
import {RewardToken} from "./RewardToken.sol";

/// @title Settlement
/// @notice Settles one batch of one epoch per transaction for the batch circuit (circuits/batch.circom):
/// verifies the Groth16 proof, then accrues each device's reward into packed storage. Owners
/// claim later, for any number of devices and epochs at once. Public signals, in order:
///   [header, commitment, lane_0 .. lane_{L-1}]
/// header = epoch | batch << 32 | unitsPerSample << 64 | maxStepE7 << 96 (each < 2^32)
///          | capUnits << 128 (< 2^40) | minSamples << 168 (< 2^4) | epochPenalty << 172;
/// lane l holds the paid units of slots 6l .. 6l+5, 40 bits each, and at bit 240 + j whether slot
/// 6l+j had a flagged reading; slot d of batch b is registry index b·B + d + 1 (fixed assignment,
/// proven by the circuit).
///
/// The reward policy (core/reward-policy/) decides what a unit is worth:
/// - `rate` (emissionKind 0): each unit accrues as a unit; a claim pays units · rewardPerUnitWei.
/// - pro rata (constant 1, halving 2, decay 3): the epoch's emission E_e (emissionGweiOf) is
///   shared by units. A share over every device of an epoch cannot be proven batch by batch, so
///   the operator declares the epoch's total units T_e and batch count first (openEpoch); each
///   settle accrues floor(u · E_e / T_e) gwei per device (E_e in gwei) and adds its units to the
///   epoch's settled units, which may never exceed T_e. When the declared batches are all settled
///   and their units sum to T_e, EpochFinalized says so. What this guarantees: no device is paid
///   more than its share of proven units; an operator who inflates T_e only underpays, and its
///   epoch never finalizes. A claim pays accrued gwei · 1e9.
/// - stake (stakeWei > 0): devices are bonded in registry order with stakeWei tokens each
///   (depositStake, by whoever onboards them, e.g. the maker); each settled device-epoch whose
///   flag bit is set slashes floor(left · slashBps / 10000) of the device's stake left. Slashed
///   tokens stay locked here (totalSlashedWei): nobody can take them out. Stakes do not change
///   rewards, and there is no withdrawal: a bench run has no unbonding period to model.
/// @dev Accrual storage: word w holds devices 4w+1 .. 4w+4, 63 bits each, plus a TOUCHED bit
/// that claims leave set, so an accrual after a claim rewrites a non-zero word (~5k gas)
/// instead of filling a zero one (~22k gas).
contract Settlement {
    /// BN254 scalar field order (EIP-196/197 curve alt_bn128).
    uint256 internal constant SCALAR_FIELD =
        21888242871839275222246405745257275088548364400416034343698204186575808495617;
    uint256 internal constant U32 = 0xffffffff;
    uint256 internal constant LANE_BITS = 40;
    uint256 internal constant UNITS_PER_LANE = 6;
    uint256 internal constant LANE_MASK = (1 << 40) - 1;
    uint256 internal constant ACCRUAL_BITS = 63;
    uint256 internal constant ACCRUAL_MASK = (1 << 63) - 1;
    uint256 internal constant TOUCHED = 1 << 255;
    uint256 internal constant FIELD_TOP_BITS = (1 << 62) | (1 << 125) | (1 << 188) | (1 << 251);
    uint256 internal constant LANE_FLAG_BIT = 240;
    uint256 internal constant BPS = 10_000;
    /// Set in a stake word once the device was slashed: the word then holds its stake left.
    uint256 internal constant SLASHED = 1 << 255;

    address public immutable verifier;
    DeviceRegistry public immutable registry;
    RewardToken public immutable token;
    address public immutable operator;
    uint256 public immutable batchSize;
    uint256 public immutable laneCount;
    uint256 public immutable unitsPerSample;
    uint256 public immutable maxStepE7;
    uint256 public immutable rewardPerUnitWei;
    uint256 public immutable capUnits;
    uint256 public immutable minSamples;
    bool public immutable epochPenalty;
    uint8 public immutable emissionKind;
    /// constant: E_e for every epoch; halving and decay: E_0. In gwei.
    uint256 public immutable emissionGwei;
    uint256 public immutable halvingEvery;
    /// decay: the per-epoch factor q in 1e18 fixed point (core/reward-policy/emission.ts).
    uint256 public immutable decayQE18;
    /// What one accrued unit pays at claim: rewardPerUnitWei for a rate, 1 gwei pro rata.
    uint256 public immutable accrualWei;
    /// Each device's stake in token wei; 0: no stakes.
    uint256 public immutable stakeWei;
    /// What a flagged device-epoch slashes of the stake left, in basis points.
    uint256 public immutable slashBps;
    /// Selector of `verifyProof(uint256[2],uint256[2][2],uint256[2],uint256[2 + laneCount])`.
    bytes4 public immutable verifySelector;

    /// Bit `batch % 256` of word `batch / 256` is set once (epoch, batch) is settled.
    mapping(uint256 epoch => mapping(uint256 word => uint256 bits)) private _settled;
    mapping(uint256 word => uint256 packed) private _accrued;

    /// A pro-rata epoch's book: what the operator declared and what settlements added.
    struct EpochBook {
        uint128 totalUnits;
        uint128 settledUnits;
        uint64 emissionGwei;
        uint64 paidGwei;
        uint32 batches;
        uint32 settledBatches;
        bool opened;
    }

    mapping(uint256 epoch => EpochBook) private _books;

    /// Devices 1 .. stakedThrough are bonded with stakeWei each.
    uint256 public stakedThrough;
    /// Tokens slashed so far, locked in this contract.
    uint256 public totalSlashedWei;
    /// A slashed device's stake left | SLASHED; 0 for one never slashed (its stake is stakeWei).
    mapping(uint256 index => uint256 word) private _slashedStakes;

    struct Config {
        uint256 batchSize;
        uint256 unitsPerSample;
        uint256 maxStepE7;
        uint256 rewardPerUnitWei;
        uint256 capUnits;
        uint256 minSamples;
        bool epochPenalty;
        uint8 emissionKind;
        uint256 emissionGwei;
        uint256 halvingEvery;
        uint256 decayQE18;
        uint256 stakeWei;
        uint256 slashBps;
    }

    uint8 internal constant RATE = 0;
    uint8 internal constant CONSTANT = 1;
    uint8 internal constant HALVING = 2;
    uint8 internal constant DECAY = 3;
    uint256 internal constant ONE_E18 = 1e18;
    uint256 internal constant GWEI = 1e9;

    event BatchSettled(uint256 indexed epoch, uint256 indexed batch, uint256 commitment);
    /// `units` is what the devices had accrued: units for a rate, gwei pro rata.
    event Claimed(address indexed owner, uint256 units, uint256 amountWei);
    event EpochOpened(uint256 indexed epoch, uint256 totalUnits, uint256 batches, uint256 emissionWei);
    event EpochFinalized(uint256 indexed epoch, uint256 paidWei, uint256 dustWei);
    event StakeDeposited(address indexed from, uint256 firstIndex, uint256 count, uint256 amountWei);
    event Slashed(uint256 indexed index, uint256 indexed epoch, uint256 slashedWei, uint256 stakeLeftWei);

    error NotOperator();
    error InvalidConfig(string reason);
    error AlreadySettled(uint256 epoch, uint256 batch);
    error WrongLaneCount(uint256 expected, uint256 got);
    error HeaderOutOfRange(uint256 header);
    error WrongParams(uint256 unitsPerSample, uint256 maxStepE7);
    error WrongPolicy(uint256 capUnits, uint256 minSamples, uint256 epochPenalty);
    error NotProRata();
    error EpochAlreadyOpened(uint256 epoch);
    error EpochNotOpened(uint256 epoch);
    error UnitsAboveDeclared(uint256 epoch, uint256 settledUnits, uint256 totalUnits);
    error BatchesAboveDeclared(uint256 epoch, uint256 batches);
    error SignalOutOfField(uint256 position, uint256 value);
    error VerifierCallFailed(address verifier);
    error InvalidProof();
    error AccrualOverflow(uint256 index);
    error NotOwner(uint256 index, address caller);
    error NoStakes();
    error StakeBeyondRegistered(uint256 throughIndex, uint256 registered);

    constructor(address verifier_, address registry_, address token_, address operator_, Config memory config) {
        uint256 batchSize_ = config.batchSize;
        uint256 unitsPerSample_ = config.unitsPerSample;
        uint256 maxStepE7_ = config.maxStepE7;
        uint256 rewardPerUnitWei_ = config.rewardPerUnitWei;
        if (verifier_ == address(0)) revert InvalidConfig("verifier is the zero address");
        if (registry_ == address(0)) revert InvalidConfig("registry is the zero address");
        if (token_ == address(0)) revert InvalidConfig("token is the zero address");
        if (operator_ == address(0)) revert InvalidConfig("operator is the zero address");
        if (batchSize_ == 0 || batchSize_ % 4 != 0 || batchSize_ > 1024) {
            revert InvalidConfig("batchSize must be a multiple of 4 in 4..1024");
        }
        if (unitsPerSample_ > U32) revert InvalidConfig("unitsPerSample must be below 2^32");
        if (maxStepE7_ > U32) revert InvalidConfig("maxStepE7 must be below 2^32");
        if (rewardPerUnitWei_ >= 1 << 128) revert InvalidConfig("rewardPerUnitWei must be below 2^128");
        if (config.capUnits >= 1 << 40) revert InvalidConfig("capUnits must be below 2^40");
        if (config.minSamples > 15) revert InvalidConfig("minSamples must be at most 15");
        if (config.emissionKind > DECAY) revert InvalidConfig("emissionKind must be 0 (rate), 1 (constant), 2 (halving) or 3 (decay)");
        if (config.emissionKind != RATE) {
            if (config.emissionGwei == 0 || config.emissionGwei >= 1 << 63) {
                revert InvalidConfig("emissionGwei must be in 1..2^63-1");
            }
            if (config.emissionKind == HALVING && config.halvingEvery == 0) revert InvalidConfig("halvingEvery must be positive");
            if (config.emissionKind == DECAY && config.decayQE18 > ONE_E18) revert InvalidConfig("decayQE18 must be at most 1e18");
        }
        if (config.stakeWei >= 1 << 128) revert InvalidConfig("stakeWei must be below 2^128");
        if (config.slashBps > BPS) revert InvalidConfig("slashBps must be at most 10000");
        stakeWei = config.stakeWei;
        slashBps = config.slashBps;
        capUnits = config.capUnits;
        minSamples = config.minSamples;
        epochPenalty = config.epochPenalty;
        emissionKind = config.emissionKind;
        emissionGwei = config.emissionGwei;
        halvingEvery = config.halvingEvery;
        decayQE18 = config.decayQE18;
        accrualWei = config.emissionKind == RATE ? rewardPerUnitWei_ : GWEI;
        verifier = verifier_;
        registry = DeviceRegistry(registry_);
        token = RewardToken(token_);
        operator = operator_;
        batchSize = batchSize_;
        uint256 lanes = (batchSize_ + UNITS_PER_LANE - 1) / UNITS_PER_LANE;
        laneCount = lanes;
        unitsPerSample = unitsPerSample_;
        maxStepE7 = maxStepE7_;
        rewardPerUnitWei = rewardPerUnitWei_;
        verifySelector = bytes4(
            keccak256(
                abi.encodePacked(
                    "verifyProof(uint256[2],uint256[2][2],uint256[2],uint256[", _decimal(2 + lanes), "])"
                )
            )
        );
    }

    /// @param proof a0, a1, b00, b01, b10, b11, c0, c1 as the snarkjs verifier takes them
    function settle(uint256[8] calldata proof, uint256 header, uint256 commitment, uint256[] calldata lanes)
        external
    {
        if (msg.sender != operator) revert NotOperator();
        if (lanes.length != laneCount) revert WrongLaneCount(laneCount, lanes.length);
        if (header >> 173 != 0) revert HeaderOutOfRange(header);
        uint256 ups = (header >> 64) & U32;
        uint256 step = (header >> 96) & U32;
        if (ups != unitsPerSample || step != maxStepE7) revert WrongParams(ups, step);
        uint256 cap = (header >> 128) & ((1 << 40) - 1);
        uint256 minS = (header >> 168) & 15;
        uint256 pen = header >> 172;
        if (cap != capUnits || minS != minSamples || (pen == 1) != epochPenalty) revert WrongPolicy(cap, minS, pen);
        uint256 epoch = header & U32;
        uint256 batch = (header >> 32) & U32;
        uint256 bits = _settled[epoch][batch >> 8];
        uint256 bit = 1 << (batch & 255);
        if (bits & bit != 0) revert AlreadySettled(epoch, batch);
        if (commitment >= SCALAR_FIELD) revert SignalOutOfField(1, commitment);
        for (uint256 i = 0; i < lanes.length; ++i) {
            if (lanes[i] >= SCALAR_FIELD) revert SignalOutOfField(2 + i, lanes[i]);
        }
        _verify(proof, header, commitment, lanes);
        _settled[epoch][batch >> 8] = bits | bit;
        if (emissionKind == RATE) _accrue(batch, lanes);
        else _accrueProRata(epoch, batch, lanes);
        if (stakeWei != 0 && slashBps != 0) _slash(epoch, batch, lanes);
        emit BatchSettled(epoch, batch, commitment);
    }

    /// @notice Bonds the next `count` registered devices (stakedThrough + 1 ..) with stakeWei
    /// tokens each, taken from the caller (who approved this contract for them first).
    function depositStake(uint256 count) external {
        if (stakeWei == 0) revert NoStakes();
        uint256 first = stakedThrough + 1;
        uint256 through = stakedThrough + count;
        uint256 registered = registry.deviceCount();
        if (count == 0 || through > registered) revert StakeBeyondRegistered(through, registered);
        stakedThrough = through;
        uint256 amount = stakeWei * count;
        token.transferFrom(msg.sender, address(this), amount);
        emit StakeDeposited(msg.sender, first, count, amount);
    }

    /// @notice A device's stake left, in token wei (0 for one not bonded).
    function stakeOf(uint256 index) public view returns (uint256) {
        if (index == 0 || index > stakedThrough) return 0;
        uint256 word = _slashedStakes[index];
        return word & SLASHED != 0 ? word & ~SLASHED : stakeWei;
    }

    /// @notice Declares a pro-rata epoch's total units and batch count (operator only, once per
    /// epoch, before its first settle). E_e is fixed here from the schedule.
    function openEpoch(uint256 epoch, uint256 totalUnits, uint256 batches) external {
        if (msg.sender != operator) revert NotOperator();
        if (emissionKind == RATE) revert NotProRata();
        if (epoch > U32) revert HeaderOutOfRange(epoch);
        if (totalUnits >= 1 << 128) revert InvalidConfig("totalUnits must be below 2^128");
        if (batches == 0 || batches > U32) revert InvalidConfig("batches must be in 1..2^32-1");
        EpochBook storage book = _books[epoch];
        if (book.opened) revert EpochAlreadyOpened(epoch);
        uint256 e = emissionGweiOf(epoch);
        book.totalUnits = uint128(totalUnits);
        book.emissionGwei = uint64(e);
        book.batches = uint32(batches);
        book.opened = true;
        emit EpochOpened(epoch, totalUnits, batches, e * GWEI);
    }

    /// @notice E_e in gwei, by core/reward-policy/emission.ts's scheduledEmissionWei / 1e9.
    function emissionGweiOf(uint256 epoch) public view returns (uint256) {
        if (emissionKind == CONSTANT) return emissionGwei;
        if (emissionKind == HALVING) {
            uint256 halvings = epoch / halvingEvery;
            return halvings >= 64 ? 0 : emissionGwei >> halvings;
        }
        if (emissionKind == DECAY) return (emissionGwei * _powDown(decayQE18, epoch)) / ONE_E18;
        return 0;
    }

    /// The epoch's book: declared total units and batches, settled so far, E_e and paid, in gwei.
    function epochBook(uint256 epoch) external view returns (EpochBook memory) {
        return _books[epoch];
    }

    /// @notice Mints the accrued rewards of `deviceIndexes` to the caller, who must own each of
    /// them in the registry, and zeroes their accruals.
    /// @return units claimed in total
    function claim(uint256[] calldata deviceIndexes) external returns (uint256 units) {
        for (uint256 i = 0; i < deviceIndexes.length; ++i) {
            uint256 index = deviceIndexes[i];
            if (registry.ownerOf(index) != msg.sender) revert NotOwner(index, msg.sender);
            uint256 word = (index - 1) >> 2;
            uint256 shift = ((index - 1) & 3) * ACCRUAL_BITS;
            uint256 packed = _accrued[word];
            uint256 u = (packed >> shift) & ACCRUAL_MASK;
            if (u != 0) {
                _accrued[word] = packed & ~(ACCRUAL_MASK << shift);
                units += u;
            }
        }
        uint256 amount = units * accrualWei;
        if (amount != 0) token.mint(msg.sender, amount);
        emit Claimed(msg.sender, units, amount);
    }

    function accruedUnits(uint256 index) external view returns (uint256) {
        if (index == 0) return 0;
        return (_accrued[(index - 1) >> 2] >> (((index - 1) & 3) * ACCRUAL_BITS)) & ACCRUAL_MASK;
    }

    function isSettled(uint256 epoch, uint256 batch) external view returns (bool) {
        return _settled[epoch][batch >> 8] & (1 << (batch & 255)) != 0;
    }

    /// Slot j of the batch is index batch·B + j + 1, i.e. field (j & 3) of word batch·B/4 + j/4:
    /// B is a multiple of 4, so a batch fills whole words and writes each at most once.
    function _accrue(uint256 batch, uint256[] calldata lanes) private {
        unchecked {
            uint256 words = batchSize >> 2;
            uint256 firstWord = batch * words;
            uint256 lane;
            uint256 next;
            uint256 left;
            for (uint256 q = 0; q < words; ++q) {
                uint256 add = 0;
                for (uint256 s = 0; s < 4; ++s) {
                    if (left == 0) {
                        lane = lanes[next++];
                        left = UNITS_PER_LANE;
                    }
                    add |= (lane & LANE_MASK) << (ACCRUAL_BITS * s);
                    lane >>= LANE_BITS;
                    --left;
                }
                if (add == 0) continue;
                uint256 packed = _accrued[firstWord + q];
                // Fields stay below 2^62 before an add of < 2^40 each, so no field carries into
                // the next; 2^62 is 2^26 epochs of the largest possible units (< 2^36).
                if (packed & FIELD_TOP_BITS != 0) _overflow(firstWord + q, packed);
                _accrued[firstWord + q] = (packed + add) | TOUCHED;
            }
        }
    }

    /// Pro rata: slot j earns floor(u_j · E_e / T_e) gwei, added with a check per field (a share
    /// can be up to 2^63 gwei, so the no-carry bound of _accrue does not hold).
    function _accrueProRata(uint256 epoch, uint256 batch, uint256[] calldata lanes) private {
        EpochBook storage book = _books[epoch];
        if (!book.opened) revert EpochNotOpened(epoch);
        uint256 total = book.totalUnits;
        uint256 emission = book.emissionGwei;
        uint256 words = batchSize >> 2;
        uint256 sumUnits;
        uint256 paid;
        for (uint256 q = 0; q < words; ++q) {
            (uint256 u, uint256 g) = _accrueWord(batch * words + q, _fourUnits(lanes, 4 * q), emission, total);
            sumUnits += u;
            paid += g;
        }
        uint256 settledUnits = uint256(book.settledUnits) + sumUnits;
        if (settledUnits > total) revert UnitsAboveDeclared(epoch, settledUnits, total);
        uint256 settledBatches = uint256(book.settledBatches) + 1;
        if (settledBatches > book.batches) revert BatchesAboveDeclared(epoch, settledBatches);
        uint256 paidTotal = uint256(book.paidGwei) + paid;
        book.settledUnits = uint128(settledUnits);
        book.settledBatches = uint32(settledBatches);
        book.paidGwei = uint64(paidTotal);
        if (settledBatches == book.batches && settledUnits == total) {
            emit EpochFinalized(epoch, paidTotal * GWEI, (emission - paidTotal) * GWEI);
        }
    }

    /// The units of batch slots slot0 .. slot0+3, 40 bits each.
    function _fourUnits(uint256[] calldata lanes, uint256 slot0) private pure returns (uint256 four) {
        for (uint256 s = 0; s < 4; ++s) {
            uint256 slot = slot0 + s;
            four |= ((lanes[slot / UNITS_PER_LANE] >> (LANE_BITS * (slot % UNITS_PER_LANE))) & LANE_MASK) << (LANE_BITS * s);
        }
    }

    /// Accrues floor(u · E_e / T_e) gwei for each of the four units into accrual word `word`;
    /// returns their units and gwei. T_e = 0 pays nothing: the caller's check that settled units
    /// stay ≤ T_e then refuses any unit.
    function _accrueWord(uint256 word, uint256 four, uint256 emission, uint256 total)
        private
        returns (uint256 units, uint256 paid)
    {
        if (four == 0) return (0, 0);
        uint256 packed = _accrued[word];
        for (uint256 s = 0; s < 4; ++s) {
            uint256 u = (four >> (LANE_BITS * s)) & LANE_MASK;
            units += u;
            uint256 share = total == 0 ? 0 : (u * emission) / total;
            if (share == 0) continue;
            uint256 shift = ACCRUAL_BITS * s;
            uint256 field = (packed >> shift) & ACCRUAL_MASK;
            if (field + share > ACCRUAL_MASK) revert AccrualOverflow((word << 2) + s + 1);
            packed = (packed & ~(ACCRUAL_MASK << shift)) | ((field + share) << shift);
            paid += share;
        }
        if (paid != 0) _accrued[word] = packed | TOUCHED;
    }

    /// Slashes every bonded slot whose lane flag bit is set (core/reward-policy/rewards.ts: each
    /// flagged device-epoch takes floor(left · slashBps / 10000); the same step whatever the
    /// order, so epochs may settle in any order).
    function _slash(uint256 epoch, uint256 batch, uint256[] calldata lanes) private {
        // Most batches flag nobody: their lanes alone say so, without reading storage.
        uint256 anyFlag;
        for (uint256 l = 0; l < lanes.length; ++l) anyFlag |= lanes[l] >> LANE_FLAG_BIT;
        if (anyFlag == 0) return;
        uint256 first = batch * batchSize + 1;
        uint256 through = stakedThrough;
        uint256 total;
        for (uint256 slot = 0; slot < batchSize; ++slot) {
            if ((lanes[slot / UNITS_PER_LANE] >> (LANE_FLAG_BIT + (slot % UNITS_PER_LANE))) & 1 == 0) continue;
            uint256 index = first + slot;
            if (index > through) continue;
            uint256 left = stakeOf(index);
            uint256 cut = (left * slashBps) / BPS;
            if (cut == 0) continue;
            _slashedStakes[index] = (left - cut) | SLASHED;
            total += cut;
            emit Slashed(index, epoch, cut, left - cut);
        }
        if (total != 0) totalSlashedWei += total;
    }

    /// core/reward-policy/fixed-point.ts powDown, line by line.
    function _powDown(uint256 q, uint256 e) private pure returns (uint256 result) {
        result = ONE_E18;
        uint256 base = q;
        uint256 n = e;
        while (n > 0) {
            if (n & 1 == 1) result = (result * base) / ONE_E18;
            n >>= 1;
            if (n > 0) base = (base * base) / ONE_E18;
        }
    }

    function _overflow(uint256 word, uint256 packed) private pure {
        for (uint256 s = 0; s < 4; ++s) {
            if (((packed >> (ACCRUAL_BITS * s)) & ACCRUAL_MASK) >= (1 << 62)) revert AccrualOverflow((word << 2) + s + 1);
        }
    }

    /// Calls verifyProof with the public signals as a fixed-size array, which the ABI encodes
    /// inline: the packed words after the selector are exactly that encoding. The snarkjs
    /// verifier answers false (it does not revert) on a bad proof or when a pairing runs out of
    /// gas, so only an explicit `true` passes.
    function _verify(uint256[8] calldata proof, uint256 header, uint256 commitment, uint256[] calldata lanes)
        private
        view
    {
        bytes memory input = abi.encodePacked(verifySelector, proof, header, commitment, lanes);
        (bool ok, bytes memory answer) = verifier.staticcall(input);
        if (!ok || answer.length != 32) revert VerifierCallFailed(verifier);
        if (abi.decode(answer, (uint256)) != 1) revert InvalidProof();
    }

    function _decimal(uint256 value) private pure returns (bytes memory out) {
        uint256 digits = 1;
        for (uint256 v = value; v >= 10; v /= 10) ++digits;
        out = new bytes(digits);
        for (uint256 i = digits; i > 0; --i) {
            out[i - 1] = bytes1(uint8(48 + (value % 10)));
            value /= 10;
        }
    }
}

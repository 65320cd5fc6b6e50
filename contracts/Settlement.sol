// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {DeviceRegistry} from "./DeviceRegistry.sol";
import {RewardToken} from "./RewardToken.sol";

/// @title Settlement
/// @notice Settles one batch of one epoch per transaction for the batch circuit (circuits/batch.circom):
/// verifies the Groth16 proof, then accrues each device's units into packed storage. Owners
/// claim later, for any number of devices and epochs at once. Public signals, in order:
///   [header, commitment, lane_0 .. lane_{L-1}]
/// header = epoch | batch << 32 | unitsPerSample << 64 | maxStepE7 << 96 (each < 2^32);
/// lane l holds the units of slots 6l .. 6l+5, 40 bits each; slot d of batch b is registry
/// index b·B + d + 1 (fixed assignment, proven by the circuit).
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

    address public immutable verifier;
    DeviceRegistry public immutable registry;
    RewardToken public immutable token;
    address public immutable operator;
    uint256 public immutable batchSize;
    uint256 public immutable laneCount;
    uint256 public immutable unitsPerSample;
    uint256 public immutable maxStepE7;
    uint256 public immutable rewardPerUnitWei;
    /// Selector of `verifyProof(uint256[2],uint256[2][2],uint256[2],uint256[2 + laneCount])`.
    bytes4 public immutable verifySelector;

    /// Bit `batch % 256` of word `batch / 256` is set once (epoch, batch) is settled.
    mapping(uint256 epoch => mapping(uint256 word => uint256 bits)) private _settled;
    mapping(uint256 word => uint256 packed) private _accrued;

    event BatchSettled(uint256 indexed epoch, uint256 indexed batch, uint256 commitment);
    event Claimed(address indexed owner, uint256 units, uint256 amountWei);

    error NotOperator();
    error InvalidConfig(string reason);
    error AlreadySettled(uint256 epoch, uint256 batch);
    error WrongLaneCount(uint256 expected, uint256 got);
    error HeaderOutOfRange(uint256 header);
    error WrongParams(uint256 unitsPerSample, uint256 maxStepE7);
    error SignalOutOfField(uint256 position, uint256 value);
    error VerifierCallFailed(address verifier);
    error InvalidProof();
    error AccrualOverflow(uint256 index);
    error NotOwner(uint256 index, address caller);

    constructor(
        address verifier_,
        address registry_,
        address token_,
        address operator_,
        uint256 batchSize_,
        uint256 unitsPerSample_,
        uint256 maxStepE7_,
        uint256 rewardPerUnitWei_
    ) {
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
        if (header >> 128 != 0) revert HeaderOutOfRange(header);
        uint256 ups = (header >> 64) & U32;
        uint256 cap = header >> 96;
        if (ups != unitsPerSample || cap != maxStepE7) revert WrongParams(ups, cap);
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
        _accrue(batch, lanes);
        emit BatchSettled(epoch, batch, commitment);
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
        uint256 amount = units * rewardPerUnitWei;
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

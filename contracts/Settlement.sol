// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {DeviceRegistry} from "./DeviceRegistry.sol";
import {RewardToken} from "./RewardToken.sol";

/// @title Settlement
/// @notice Pays device owners for one batch of one epoch once a Groth16 proof of the batch's
/// work units verifies. Public signals, in this order (the circuit's order):
///   [epoch, batch, commitment, unitsPerSample, maxStepE7, slot_0 .. slot_{B-1}]
/// where slot = deviceIndex << 64 | units, and deviceIndex 0 marks an empty slot.
contract Settlement {
    /// BN254 scalar field order (EIP-196/197 curve alt_bn128).
    uint256 internal constant SCALAR_FIELD =
        21888242871839275222246405745257275088548364400416034343698204186575808495617;
    uint256 internal constant UNITS_MASK = (1 << 64) - 1;
    /// Set in a batch's stored word so a zero commitment still reads as settled; commitments
    /// are field elements (< 2^254), so this bit is otherwise always clear.
    uint256 internal constant SETTLED_FLAG = 1 << 255;
    uint256 internal constant FIXED_SIGNALS = 5;

    address public immutable verifier;
    DeviceRegistry public immutable registry;
    RewardToken public immutable token;
    address public immutable operator;
    uint256 public immutable batchSize;
    uint256 public immutable unitsPerSample;
    uint256 public immutable maxStepE7;
    uint256 public immutable rewardPerUnitWei;
    /// Selector of `verifyProof(uint256[2],uint256[2][2],uint256[2],uint256[N])`, N = 5 + batchSize:
    /// the snarkjs verifier fixes N in its signature, so the selector depends on the batch size.
    bytes4 public immutable verifySelector;

    mapping(uint256 epoch => mapping(uint256 batch => uint256 flaggedCommitment)) private _batches;
    /// Bit `index % 256` of word `index / 256` is set once a device is paid for the epoch. Keyed
    /// by epoch first so devices with neighbouring indices (one batch) share a storage word.
    mapping(uint256 epoch => mapping(uint256 word => uint256 bits)) private _paid;

    event BatchSettled(uint256 indexed epoch, uint256 indexed batch, uint256 commitment, uint256 totalUnits);

    error NotOperator();
    error InvalidConfig(string reason);
    error AlreadySettled(uint256 epoch, uint256 batch);
    error WrongBatchSize(uint256 expected, uint256 got);
    error SignalOutOfField(uint256 position, uint256 value);
    error VerifierCallFailed(address verifier);
    error InvalidProof();
    error UnknownDevice(uint256 index);
    error DevicePaidTwice(uint256 index, uint256 epoch);

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
        if (batchSize_ == 0 || batchSize_ > 1024) revert InvalidConfig("batchSize must be 1..1024");
        if (unitsPerSample_ >= SCALAR_FIELD) revert InvalidConfig("unitsPerSample is not a field element");
        if (maxStepE7_ >= SCALAR_FIELD) revert InvalidConfig("maxStepE7 is not a field element");
        verifier = verifier_;
        registry = DeviceRegistry(registry_);
        token = RewardToken(token_);
        operator = operator_;
        batchSize = batchSize_;
        unitsPerSample = unitsPerSample_;
        maxStepE7 = maxStepE7_;
        rewardPerUnitWei = rewardPerUnitWei_;
        verifySelector = bytes4(
            keccak256(
                abi.encodePacked(
                    "verifyProof(uint256[2],uint256[2][2],uint256[2],uint256[",
                    _decimal(FIXED_SIGNALS + batchSize_),
                    "])"
                )
            )
        );
    }

    function settle(
        uint256 epoch,
        uint256 batch,
        uint256 commitment,
        uint256[2] calldata a,
        uint256[2][2] calldata b,
        uint256[2] calldata c,
        uint256[] calldata slots
    ) external {
        if (msg.sender != operator) revert NotOperator();
        if (slots.length != batchSize) revert WrongBatchSize(batchSize, slots.length);
        if (_batches[epoch][batch] != 0) revert AlreadySettled(epoch, batch);
        _checkSignals(epoch, batch, commitment, slots);
        _verify(epoch, batch, commitment, a, b, c, slots);

        _batches[epoch][batch] = commitment | SETTLED_FLAG;
        uint256 totalUnits = 0;
        for (uint256 i = 0; i < slots.length; ++i) {
            uint256 index = slots[i] >> 64;
            if (index == 0) continue;
            uint256 units = slots[i] & UNITS_MASK;
            address owner = registry.ownerOf(index);
            if (owner == address(0)) revert UnknownDevice(index);
            _markPaid(epoch, index);
            totalUnits += units;
            if (units != 0) token.mint(owner, units * rewardPerUnitWei);
        }
        emit BatchSettled(epoch, batch, commitment, totalUnits);
    }

    /// @return settled whether (epoch, batch) was paid
    /// @return commitment the commitment it was paid for (0 when not settled)
    function batchCommitment(uint256 epoch, uint256 batch) external view returns (bool settled, uint256 commitment) {
        uint256 word = _batches[epoch][batch];
        return (word != 0, word & ~SETTLED_FLAG);
    }

    function isPaid(uint256 epoch, uint256 index) external view returns (bool) {
        return _paid[epoch][index >> 8] & (1 << (index & 255)) != 0;
    }

    /// The verifier also rejects non-field signals, but by returning false; checking here names
    /// the offending signal and keeps a tampered input a revert whatever verifier is plugged in.
    function _checkSignals(uint256 epoch, uint256 batch, uint256 commitment, uint256[] calldata slots) private pure {
        if (epoch >= SCALAR_FIELD) revert SignalOutOfField(0, epoch);
        if (batch >= SCALAR_FIELD) revert SignalOutOfField(1, batch);
        if (commitment >= SCALAR_FIELD) revert SignalOutOfField(2, commitment);
        for (uint256 i = 0; i < slots.length; ++i) {
            if (slots[i] >= SCALAR_FIELD) revert SignalOutOfField(FIXED_SIGNALS + i, slots[i]);
        }
    }

    /// Calls verifyProof with the public signals as a fixed-size array, which the ABI encodes
    /// inline: the packed words after the selector are exactly that encoding. The snarkjs
    /// verifier answers false (it does not revert) on a bad proof or when a pairing runs out of
    /// gas, so only an explicit `true` passes.
    function _verify(
        uint256 epoch,
        uint256 batch,
        uint256 commitment,
        uint256[2] calldata a,
        uint256[2][2] calldata b,
        uint256[2] calldata c,
        uint256[] calldata slots
    ) private view {
        bytes memory input = abi.encodePacked(
            verifySelector, a, b[0], b[1], c, epoch, batch, commitment, unitsPerSample, maxStepE7, slots
        );
        (bool ok, bytes memory answer) = verifier.staticcall(input);
        if (!ok || answer.length != 32) revert VerifierCallFailed(verifier);
        if (abi.decode(answer, (uint256)) != 1) revert InvalidProof();
    }

    function _markPaid(uint256 epoch, uint256 index) private {
        uint256 word = index >> 8;
        uint256 bit = 1 << (index & 255);
        uint256 bits = _paid[epoch][word];
        if (bits & bit != 0) revert DevicePaidTwice(index, epoch);
        _paid[epoch][word] = bits | bit;
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

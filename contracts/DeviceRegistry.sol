// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title DeviceRegistry
/// @notice Maps device ids to dense indices (1, 2, 3, ...; 0 means "empty slot" in a settlement
/// batch) with their owner and a hash of their public key. The full key is only emitted in the
/// event: storing 65 bytes would cost three more storage slots per device, and anyone can
/// check a key from the logs against `keyHashOf`.
///
/// A device that registered by the confirm exchange (Pebble's ConfirmPackage: the device signs
/// sha256(owner ‖ uint32 BE timestamp) with its key) has its confirm recorded: the timestamp is
/// stored beside the owner (same storage slot, no extra SSTORE) and the 64-byte r‖s signature is
/// emitted in `DeviceConfirmed`. The registry does not verify it: the device keys are P-256, and a
/// standard EVM has no P-256 precompile (RIP-7212 exists only on some rollups) while verifying in
/// Solidity costs ~300k gas. Anyone can re-check a confirm from the logs: the key from
/// `DeviceRegistered`, the owner, the timestamp and the signature from `DeviceConfirmed`.
contract DeviceRegistry {
    struct Device {
        address owner;
        /// Timestamp of the device's signed confirm (seconds, its clock); 0 when the operator
        /// registered the device without one.
        uint64 confirmedAt;
        bytes32 keyHash;
    }

    /// Uncompressed SEC1 point: 0x04 ‖ x (32 bytes) ‖ y (32 bytes).
    uint256 private constant PUBLIC_KEY_LENGTH = 65;
    /// ECDSA r ‖ s.
    uint256 private constant SIGNATURE_LENGTH = 64;

    address public immutable operator;

    uint256 private _count;
    mapping(uint256 index => Device) private _devices;
    mapping(bytes32 idHash => uint256 index) private _indexOf;

    event DeviceRegistered(uint256 indexed index, bytes32 indexed idHash, address owner, bytes pubKey);
    /// The device's signature over sha256(owner ‖ uint32 BE timestamp), as it sent it.
    event DeviceConfirmed(uint256 indexed index, uint32 timestamp, bytes signature);

    error NotOperator();
    error ZeroAddress();
    error LengthMismatch(uint256 idHashes, uint256 pubKeys, uint256 owners);
    error EmptyIdHash(uint256 position);
    error DuplicateDevice(bytes32 idHash, uint256 index);
    error InvalidPublicKey(bytes32 idHash, uint256 length);
    error ZeroOwner(bytes32 idHash);
    error ConfirmLengthMismatch(uint256 idHashes, uint256 timestamps, uint256 signatures);
    error InvalidConfirm(bytes32 idHash, uint32 timestamp, uint256 signatureLength);

    constructor(address operator_) {
        if (operator_ == address(0)) revert ZeroAddress();
        operator = operator_;
    }

    /// @notice Registers devices in order; the first gets index `deviceCount() + 1`.
    /// @return firstIndex index given to `idHashes[0]` (the others follow sequentially)
    function registerMany(bytes32[] calldata idHashes, bytes[] calldata pubKeys, address[] calldata owners)
        external
        returns (uint256 firstIndex)
    {
        if (msg.sender != operator) revert NotOperator();
        uint256 n = idHashes.length;
        if (pubKeys.length != n || owners.length != n) {
            revert LengthMismatch(n, pubKeys.length, owners.length);
        }
        uint256 count = _count;
        firstIndex = count + 1;
        for (uint256 i = 0; i < n; ++i) {
            _register(count + 1 + i, idHashes[i], pubKeys[i], owners[i], 0);
        }
        _count = count + n;
    }

    /// @notice `registerMany` recording each device's confirm: `timestamps[i]` and the 64-byte
    /// `signatures[i]` it signed for `owners[i]`; timestamp 0 with an empty signature registers
    /// that device without one. The signature is emitted, not verified (see the contract notes).
    function registerManyConfirmed(
        bytes32[] calldata idHashes,
        bytes[] calldata pubKeys,
        address[] calldata owners,
        uint32[] calldata timestamps,
        bytes[] calldata signatures
    ) external returns (uint256 firstIndex) {
        if (msg.sender != operator) revert NotOperator();
        uint256 n = idHashes.length;
        if (pubKeys.length != n || owners.length != n) {
            revert LengthMismatch(n, pubKeys.length, owners.length);
        }
        if (timestamps.length != n || signatures.length != n) {
            revert ConfirmLengthMismatch(n, timestamps.length, signatures.length);
        }
        uint256 count = _count;
        firstIndex = count + 1;
        for (uint256 i = 0; i < n; ++i) {
            _register(count + 1 + i, idHashes[i], pubKeys[i], owners[i], timestamps[i]);
            _recordConfirm(count + 1 + i, idHashes[i], timestamps[i], signatures[i]);
        }
        _count = count + n;
    }

    function _recordConfirm(uint256 index, bytes32 idHash, uint32 timestamp, bytes calldata signature) private {
        if (timestamp == 0 ? signature.length != 0 : signature.length != SIGNATURE_LENGTH) {
            revert InvalidConfirm(idHash, timestamp, signature.length);
        }
        if (timestamp != 0) emit DeviceConfirmed(index, timestamp, signature);
    }

    function _register(
        uint256 index,
        bytes32 idHash,
        bytes calldata pubKey,
        address owner,
        uint64 confirmedAt
    ) private {
        // `_count` is written after the loop, so it still holds the count before this call.
        if (idHash == bytes32(0)) revert EmptyIdHash(index - _count - 1);
        uint256 existing = _indexOf[idHash];
        if (existing != 0) revert DuplicateDevice(idHash, existing);
        if (pubKey.length != PUBLIC_KEY_LENGTH || pubKey[0] != 0x04) {
            revert InvalidPublicKey(idHash, pubKey.length);
        }
        if (owner == address(0)) revert ZeroOwner(idHash);
        _devices[index] = Device(owner, confirmedAt, keccak256(pubKey));
        _indexOf[idHash] = index;
        emit DeviceRegistered(index, idHash, owner, pubKey);
    }

    /// @return owner of the device at `index`, or the zero address when none is registered there
    function ownerOf(uint256 index) external view returns (address) {
        return _devices[index].owner;
    }

    /// @return index of the device, or 0 when the id is not registered
    function indexOf(bytes32 idHash) external view returns (uint256) {
        return _indexOf[idHash];
    }

    /// @return keccak256 of the device's 65-byte public key, or zero when none is registered
    function keyHashOf(uint256 index) external view returns (bytes32) {
        return _devices[index].keyHash;
    }

    /// @return timestamp of the device's recorded confirm, or 0 when it has none (or no device is there)
    function confirmedAtOf(uint256 index) external view returns (uint64) {
        return _devices[index].confirmedAt;
    }

    function deviceCount() external view returns (uint256) {
        return _count;
    }
}

// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title DeviceRegistry
/// @notice Maps device ids to dense indices (1, 2, 3, ...; 0 means "empty slot" in a settlement
/// batch) with their owner and a hash of their public key. The full key is only emitted in the
/// event: storing 65 bytes would cost three more storage slots per device, and anyone can
/// check a key from the logs against `keyHashOf`.
contract DeviceRegistry {
    struct Device {
        address owner;
        bytes32 keyHash;
    }

    /// Uncompressed SEC1 point: 0x04 ‖ x (32 bytes) ‖ y (32 bytes).
    uint256 private constant PUBLIC_KEY_LENGTH = 65;

    address public immutable operator;

    uint256 private _count;
    mapping(uint256 index => Device) private _devices;
    mapping(bytes32 idHash => uint256 index) private _indexOf;

    event DeviceRegistered(uint256 indexed index, bytes32 indexed idHash, address owner, bytes pubKey);

    error NotOperator();
    error ZeroAddress();
    error LengthMismatch(uint256 idHashes, uint256 pubKeys, uint256 owners);
    error EmptyIdHash(uint256 position);
    error DuplicateDevice(bytes32 idHash, uint256 index);
    error InvalidPublicKey(bytes32 idHash, uint256 length);
    error ZeroOwner(bytes32 idHash);

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
            bytes32 idHash = idHashes[i];
            bytes calldata pubKey = pubKeys[i];
            address owner = owners[i];
            if (idHash == bytes32(0)) revert EmptyIdHash(i);
            uint256 existing = _indexOf[idHash];
            if (existing != 0) revert DuplicateDevice(idHash, existing);
            if (pubKey.length != PUBLIC_KEY_LENGTH || pubKey[0] != 0x04) {
                revert InvalidPublicKey(idHash, pubKey.length);
            }
            if (owner == address(0)) revert ZeroOwner(idHash);
            uint256 index = count + 1 + i;
            _devices[index] = Device(owner, keccak256(pubKey));
            _indexOf[idHash] = index;
            emit DeviceRegistered(index, idHash, owner, pubKey);
        }
        _count = count + n;
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

    function deviceCount() external view returns (uint256) {
        return _count;
    }
}

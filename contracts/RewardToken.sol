// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title RewardToken
/// @notice Minimal ERC-20 (EIP-20) paid out by the settlement contract. New tokens come only from
/// the minter, which the deployer sets exactly once (to the settlement contract, whose address
/// is known only after the token exists), and never beyond `maxSupply` (the reward policy's
/// maxSupplyWei, core/reward-policy/). A policy with stakes starts with a genesis allocation
/// (the stakes the onboarding account bonds devices with), which counts toward maxSupply.
contract RewardToken {
    string public constant name = "pinbench reward";
    string public constant symbol = "PINR";
    uint8 public constant decimals = 18;

    address public immutable deployer;
    address public minter;
    uint256 public immutable maxSupply;
    uint256 public totalSupply;
    mapping(address account => uint256) public balanceOf;
    mapping(address owner => mapping(address spender => uint256)) public allowance;

    event Transfer(address indexed from, address indexed to, uint256 value);
    event Approval(address indexed owner, address indexed spender, uint256 value);
    event MinterSet(address indexed minter);

    error NotDeployer();
    error NotMinter();
    error MinterAlreadySet(address minter);
    error ZeroAddress();
    error ZeroMaxSupply();
    error SupplyExceeded(uint256 totalSupply, uint256 amount, uint256 maxSupply);
    error InsufficientBalance(address from, uint256 balance, uint256 needed);
    error InsufficientAllowance(address spender, uint256 allowance, uint256 needed);

    constructor(uint256 maxSupply_, address genesisHolder, uint256 genesisWei) {
        if (maxSupply_ == 0) revert ZeroMaxSupply();
        deployer = msg.sender;
        maxSupply = maxSupply_;
        if (genesisWei != 0) {
            if (genesisHolder == address(0)) revert ZeroAddress();
            if (genesisWei > maxSupply_) revert SupplyExceeded(0, genesisWei, maxSupply_);
            totalSupply = genesisWei;
            balanceOf[genesisHolder] = genesisWei;
            emit Transfer(address(0), genesisHolder, genesisWei);
        }
    }

    function setMinter(address minter_) external {
        if (msg.sender != deployer) revert NotDeployer();
        if (minter != address(0)) revert MinterAlreadySet(minter);
        if (minter_ == address(0)) revert ZeroAddress();
        minter = minter_;
        emit MinterSet(minter_);
    }

    function mint(address to, uint256 amount) external {
        if (msg.sender != minter) revert NotMinter();
        if (to == address(0)) revert ZeroAddress();
        if (amount > maxSupply - totalSupply) revert SupplyExceeded(totalSupply, amount, maxSupply);
        totalSupply += amount;
        unchecked {
            // Cannot overflow: no balance exceeds totalSupply, which was just checked.
            balanceOf[to] += amount;
        }
        emit Transfer(address(0), to, amount);
    }

    function transfer(address to, uint256 amount) external returns (bool) {
        _transfer(msg.sender, to, amount);
        return true;
    }

    function approve(address spender, uint256 amount) external returns (bool) {
        if (spender == address(0)) revert ZeroAddress();
        allowance[msg.sender][spender] = amount;
        emit Approval(msg.sender, spender, amount);
        return true;
    }

    function transferFrom(address from, address to, uint256 amount) external returns (bool) {
        uint256 allowed = allowance[from][msg.sender];
        // An allowance of 2^256-1 stays unlimited, as in most ERC-20 implementations.
        if (allowed != type(uint256).max) {
            if (allowed < amount) revert InsufficientAllowance(msg.sender, allowed, amount);
            unchecked {
                allowance[from][msg.sender] = allowed - amount;
            }
        }
        _transfer(from, to, amount);
        return true;
    }

    function _transfer(address from, address to, uint256 amount) private {
        if (to == address(0)) revert ZeroAddress();
        uint256 balance = balanceOf[from];
        if (balance < amount) revert InsufficientBalance(from, balance, amount);
        unchecked {
            balanceOf[from] = balance - amount;
            balanceOf[to] += amount;
        }
        emit Transfer(from, to, amount);
    }
}

/**
 * Every `PinbenchError` code, with what it means and what to do about it. Codes are
 * AREA_CASE in upper snake case (the area first, then the case) and part of the API: scripts
 * and tests match on them. docs/errors.md is generated from this list (`npm run docs:errors`),
 * and test/core/error-codes.test.ts fails when the two differ or a code here is thrown nowhere.
 */
export interface ErrorCodeInfo {
  /** What went wrong, in one line. */
  readonly meaning: string;
  /** What to do next, in one line. */
  readonly action: string;
}

export const ERROR_CODES = {
  CLI_ARGS_INVALID: {
    meaning: 'The command line has an unknown command or option, a missing or extra argument, or an option value out of range.',
    action: 'Fix the argument the message names; `pinbench --help` lists the commands and options.',
  },
  TOPICS_INVALID: {
    meaning: 'A topic template in the scenario\'s `topics:` section cannot work: no `{id}` level, a wildcard, a `$` topic, or two kinds on one topic.',
    action: 'Fix the template the message names; docs/topics.md lists the kinds and the default layout.',
  },
  DEVICE_ID_INVALID: {
    meaning: 'A real device\'s id is not an IMEI (15 digits).',
    action: 'Give the IMEI the device prints at boot or carries on its label.',
  },
  OWNER_INVALID: {
    meaning: 'An owner is not an Ethereum address.',
    action: 'Give the owner account as 0x and 40 hex digits.',
  },
  PUBKEY_INVALID: {
    meaning: 'A device public key is neither a readable PEM EC key on P-256 or secp256k1 nor a curve point in hex.',
    action: 'Give the PEM file the device\'s maker exported, its text, or the 65-byte uncompressed point in hex (with `--curve secp256k1` for that curve).',
  },
  DEVICE_ALREADY_ADDED: {
    meaning: '`pinbench device add` was given an IMEI that was added before with another key or owner.',
    action: 'Delete the file the message names (under $PINBENCH_HOME/devices) to provision the device again.',
  },
  DEVICE_NOT_ADDED: {
    meaning: 'A run was asked to attach (`--attach`, `--wait-for`) a device that `pinbench device add` never provisioned and the scenario does not list.',
    action: 'Add it with `pinbench device add --id <IMEI> --pubkey <pem|hex> --owner <address>`, or list it under the scenario\'s `attached:`.',
  },
  DEVICE_BOOK_DAMAGED: {
    meaning: 'A device file under $PINBENCH_HOME/devices is not the JSON `pinbench device add` writes.',
    action: 'Delete the file and add the device again.',
  },
  ATTACHED_REGISTRATION_FAILED: {
    meaning: 'An attached device could not be put on the registry contract as the run started.',
    action: 'Read the chain error in the message; a device already registered on a reused `--rpc` chain needs a fresh chain or another IMEI.',
  },
  WAIT_FOR_TIMEOUT: {
    meaning: 'Devices the run was told to wait for (`--wait-for`) did not come online within `--wait-timeout`.',
    action: 'Check the device\'s URL, credentials and certificate (in <run folder>/attached/), its network and power; raise --wait-timeout for a slow boot.',
  },
  CREDENTIALS_INVALID: {
    meaning: 'A device credentials file (`<IMEI>.json`) is missing, not JSON, or lacks a field (url, clientId, username, password, topics).',
    action: 'Write it again with `pinbench device add`, or take the one the run wrote to `<run folder>/attached/`.',
  },
  SERIAL_PORT_UNAVAILABLE: {
    meaning: '`pinbench bridge serial` could not open its serial port at start: no such port, permission denied, or in use by another program.',
    action: 'List ports with `ls /dev/ttyUSB* /dev/ttyACM*`, check the cable, add your user to the dialout group for a permission error, or close the program holding the port.',
  },
  BRIDGE_KEY_INVALID: {
    meaning: 'The bridge\'s `--key` file is missing, unreadable, or not a private key on P-256 or secp256k1 (or its curve differs from `--curve`).',
    action: 'Give the device\'s PEM private key (PKCS#8 or SEC1 "EC PRIVATE KEY", decrypted) or 32 bytes of hex; `--curve` only for a hex key.',
  },
  BRIDGE_MQTT_REFUSED: {
    meaning: 'The broker refused the bridge\'s first login (bad username or password, or not authorised): the credentials file does not match the run\'s device directory.',
    action: 'Write the credentials file again with `pinbench device add`, or take the one the running run wrote to `<run folder>/attached/`.',
  },
  DISK_FULL: {
    meaning: 'The run folder\'s filesystem ran short of space: the run stopped before the chain\'s state or run.db could be cut short, keeping what was committed.',
    action: 'Free space (or give --out on a larger disk for the next run), then `pinbench resume <run folder>` finishes the run.',
  },
  REPORT_INVALID: {
    meaning: 'A report.json `pinbench compare` was given is missing, not JSON, not a report of a run, or lacks a field every report has.',
    action: 'Give a run folder (runs/<time>-<scenario>/) or its report.json as the run wrote it; a resumed report holds no run measures: compare the runs themselves.',
  },
  RUN_INTERRUPTED: {
    meaning: 'The run was aborted (Ctrl-C or its abort signal) before it finished; the CLI exits with 130.',
    action: 'Every reading accepted so far is kept in the run folder\'s run.db; run the scenario again, or `pinbench resume` the folder to settle what is owed.',
  },
  RESUME_NO_RUN_DB: {
    meaning: '`pinbench resume` was given a folder without a run.db.',
    action: 'Give the folder of a run, `runs/<time>-<scenario>/`.',
  },
  RESUME_NOTHING_TO_RESUME: {
    meaning: 'The run stopped before its chain was set up, so run.db has no scenario or chain record to resume from.',
    action: 'Run the scenario again.',
  },
  CAPTURE_UNREADABLE: {
    meaning: 'A capture file is missing, truncated or damaged (SQLite\'s check fails), not a pinbench capture, or of a newer format than this pinbench reads.',
    action: 'Record it again with `pinbench run --record`, or give the capture.db of a recorded run; the message names the file and what is wrong.',
  },
  CAPTURE_WRITE_FAILED: {
    meaning: '`--record` could not create the capture file in the run folder.',
    action: 'Give `--out` a writable folder with free space.',
  },
  REPLAY_BROKER_REFUSED: {
    meaning: '`pinbench replay --to` could not connect a device to the live broker: it refused the login or did not answer.',
    action: 'Check the broker URL and that `--credentials` holds the credentials files of the run that is listening now.',
  },
  CHAIN_EPOCH_MISMATCH: {
    meaning: 'A pro-rata epoch is already open on chain with another total of units or batch count than the run\'s close computed.',
    action: 'The chain holds another run\'s contracts or the run folder was altered; start a new run folder.',
  },
  CHAIN_LOST: {
    meaning: 'The chain the run settled on is gone: the embedded chain\'s saved state is missing, or the settlement contract is not at its address.',
    action: 'Resume with the run\'s chain/ state in place or against the same `--rpc` chain; otherwise nothing can be settled, run the scenario again.',
  },
  HOST_CAPACITY_EXCEEDED: {
    meaning: 'Preflight: this machine cannot hold the fleet\'s connections (open files, local ports or memory).',
    action: 'Raise the limit the message names (`ulimit -n`, `net.ipv4.ip_local_port_range`, free memory), or run fewer devices.',
  },
  FLEET_PROCESS_FAILED: {
    meaning: 'The child process that runs the fleet died, was killed, or broke the host\'s message protocol.',
    action: 'Read the fleet process log the message names; a SIGKILL usually means the machine ran out of memory: run fewer devices.',
  },
  SCENARIO_INVALID: {
    meaning: 'The scenario is not valid YAML or does not match the scenario schema.',
    action: 'Fix the fields the message lists, at the line and column it gives; docs/scenarios.md describes every field, and `pinbench schema` gives editors the JSON Schema.',
  },
  THRESHOLD_INVALID: {
    meaning: "A scenario's `thresholds:` entry names a metric the run does not measure, or a unit that does not fit the metric.",
    action: 'Fix the threshold as the message says; docs/metrics.md lists every metric with its unit and where it is measured.',
  },
  SCENARIO_UNREADABLE: {
    meaning: 'The scenario file could not be read.',
    action: 'Check the path and the file\'s permissions.',
  },
  SWEEP_CALIBRATION_INVALID: {
    meaning: 'A sweep calibration cannot be made or read: its epochs or h3 resolution are out of range, or its cached file is damaged.',
    action: 'Fix the setting the message names (epochs ≥ 1, resolution 0 to 15), or delete the cached file it names and calibrate again.',
  },
  SWEEP_INVALID: {
    meaning: 'A `pinbench sweep` option is out of range: `--seeds` or `--workers` below 1, `--devices` or `--epochs` below 1, a negative `--viability`, or an `--objective` that does not parse or names no metric.',
    action: 'Fix the option the message names; `pinbench sweep --help` lists them with their defaults.',
  },
  SWEEP_SAMPLER_INVALID: {
    meaning: 'The fast sampler was asked for something its calibration cannot give: no devices or epochs, a seed that is not an unsigned 32-bit integer, or a profile with no records.',
    action: 'Fix the argument the message names; calibrate the scenario whose profiles the fleet uses.',
  },
  CONFIG_INVALID: {
    meaning: 'A fleet, device, motion, area, seed or curve option has a value out of range or of the wrong type.',
    action: 'Set the option the message names to a value of the kind it asks for.',
  },
  PROFILE_INVALID: {
    meaning: 'A fault, adversary or motion profile is unknown, has invalid parameters, or lacks what it needs (a sybil source device, the replay archive).',
    action: 'Use one of the names the message lists, with parameters as in devices/behaviours/schemas.ts.',
  },
  ROUTE_FILE_INVALID: {
    meaning: 'A device\'s route file cannot be read or is not a usable GeoJSON LineString or GPX track.',
    action: 'Fix the file the message names, or drop `route` from the fleet entry.',
  },
  TRACKER_ALREADY_STARTED: {
    meaning: 'start() was called on a tracker that is not off.',
    action: 'Create a new Tracker to run the device again.',
  },
  KEY_INVALID: {
    meaning: 'A device private or public key has the wrong length or encoding, or is not valid on its curve.',
    action: 'Pass a raw 32-byte scalar or a 65-byte uncompressed point of the same curve; derive keys with deriveDeviceKey.',
  },
  CODEC_DECODE_FAILED: {
    meaning: 'A payload is not valid Pebble Tracker v2, nor, with `codec: json`, its JSON form (details.reason says why: truncation, wire type, missing or unknown field, value).',
    action: 'Drop the payload and check that the sender speaks the Pebble Tracker v2 format, or the JSON form of docs/codec-json.md.',
  },
  CODEC_ENCODE_FAILED: {
    meaning: 'A message could not be encoded in the Pebble Tracker v2 format or its JSON form (a field out of its range or of the wrong length, or data that is not canonical SensorData).',
    action: 'Fix the field the message names before encoding.',
  },
  BROKER_LISTEN_FAILED: {
    meaning: 'The embedded MQTT broker could not listen on a listener\'s host and port (port in use, no permission, or a host that is not this machine\'s).',
    action: 'Choose another `--broker-port` or port in the `--listen` URL the message names (0 picks a free one), or an address of this machine.',
  },
  LISTEN_URL_INVALID: {
    meaning: 'A broker listener URL is not `mqtt://`, `mqtts://`, `ws://` or `wss://` with a host and a port (ws/wss: and an optional path).',
    action: 'Give it as in `--listen mqtts://127.0.0.1:8883` or `--listen ws://0.0.0.0:8080/mqtt` (port 0 picks a free one).',
  },
  METRICS_LISTEN_INVALID: {
    meaning: 'The `--metrics` address is not HOST:PORT (IPv6 in brackets) or a port alone.',
    action: 'Give it as in `--metrics 127.0.0.1:9464`, `--metrics [::1]:9464` or `--metrics 9464` (loopback; 0 picks a free port).',
  },
  METRICS_LISTEN_FAILED: {
    meaning: 'The metrics endpoint could not listen on the `--metrics` address (port in use, no permission, or a host that is not this machine\'s).',
    action: 'Choose another port (0 picks a free one) or an address of this machine; the message says which it was.',
  },
  BROKER_TLS_REQUIRED: {
    meaning: 'A broker listener is `mqtts://` or `wss://` but the broker was given no server certificate and CA.',
    action: 'Pass the broker a server certificate issued by the local CA, or listen on `mqtt://` and `ws://` only.',
  },
  BROKER_URL_INVALID: {
    meaning: 'The broker given by `--broker` or the scenario\'s `broker.url` is not an mqtt://, mqtts://, ws:// or wss:// URL with a host.',
    action: 'Give it as in `--broker mqtt://pinbench-backend:<password>@127.0.0.1:1883` (the backend\'s login optional, also from `--broker-credentials`).',
  },
  BROKER_UNREACHABLE: {
    meaning: 'The backend could not log in to the broker given by `--broker`: nothing listens there, the handshake timed out, TLS failed (an untrusted certificate or one that names another host), or the broker refused its login.',
    action: 'Do what the message says for its reason: start the broker, fix the host or port, pass `--ca`, connect by a name the certificate carries, or load the credentials `pinbench provision` wrote.',
  },
  BROKER_SUBSCRIBE_REFUSED: {
    meaning: 'The broker given by `--broker` refused the backend\'s subscription to the devices\' uplinks.',
    action: 'Give the backend\'s user read access to the device topics, as the ACL `pinbench provision` writes does.',
  },
  INGEST_WORKER_FAILED: {
    meaning: 'An ingest worker process (`--ingest-workers`) failed to start or stopped before it was ready.',
    action: 'Read the workers\' output in the run folder\'s ingest-workers.log; run with fewer workers or without --ingest-workers.',
  },
  OBSERVE_REFUSED: {
    meaning: 'The broker refused the subscription `--observe` asked for.',
    action: 'Give the login the run uses on your broker (the backend\'s, from `--broker` or `--broker-credentials`) read access to the topics your backend publishes its answers on.',
  },
  LOCAL_CA_INVALID: {
    meaning: 'The local CA folder holds only one of ca.cert.pem and ca.key.pem, or a file that is damaged, expired or not a CA.',
    action: 'Delete the CA folder the message names (pinbench makes a new CA), then issue the devices their certificates again.',
  },
  LOCAL_CA_WRITE_FAILED: {
    meaning: 'The local CA could not be written to its folder.',
    action: 'Make the folder the message names writable, or point PINBENCH_HOME at one that is.',
  },
  DEVICE_ALREADY_PROVISIONED: {
    meaning: 'The device directory was given a second provisioning record for the same device id.',
    action: 'Give each device one provisioning record.',
  },
  DEVICE_NOT_PROVISIONED: {
    meaning: 'A device was to be registered before the device directory had its provisioning record.',
    action: 'Provision the device before registering it.',
  },
  STORE_OPEN_FAILED: {
    meaning: 'The run database (run.db) could not be opened.',
    action: 'Check that the run folder is writable.',
  },
  SETTLEMENT_RULE_MISMATCH: {
    meaning: 'A batch witness gives a device other work units than the reward rule computes.',
    action: 'This is a pinbench bug: report it with the run folder.',
  },
  POLICY_INVALID: {
    meaning: 'A reward policy (the scenario\'s `policy:` or a sweep\'s parameter set) has a parameter out of range, an emission that is not whole gwei, or an emission schedule over the run\'s epochs above maxSupplyWei.',
    action: 'Fix the parameter the message names; docs/scenarios.md describes each under `policy`.',
  },
  POLICY_FACTS_INVALID: {
    meaning: 'The per device-epoch facts given to the reward policy are malformed: a device twice in one epoch, a negative count, a bad epoch index.',
    action: 'A bug in the caller that builds the facts (epoch close or the sweep\'s model): report it with the message.',
  },
  POLICY_AXIS_INVALID: {
    meaning: 'A sweep grid axis (`--grid name=values`) names no policy parameter, has no values, an invalid range, or a value out of the parameter\'s range.',
    action: 'Use a name from the axis list the message suggests, with values in its range (token amounts in tokens).',
  },
  RULE_INVALID_SHAPE: {
    meaning: 'The circuit shape (batchSize, readingsPerDevice) is outside what the reward rule supports.',
    action: 'Use a batchSize that is a multiple of 4 in [4, 1024] and readingsPerDevice within the range the message gives.',
  },
  RULE_INVALID_READING: {
    meaning: 'A reading\'s latitude, longitude or timestamp is outside the range the reward rule accepts.',
    action: 'Drop the reading, or fix its decoding or the device clock.',
  },
  RULE_INVALID_PARAMS: {
    meaning: 'A reward parameter does not fit the range the circuit checks.',
    action: 'Choose a smaller value.',
  },
  RULE_INVALID_DEVICE_INDEX: {
    meaning: 'A device index below 1 was given; registry indexes start at 1.',
    action: 'Pass the device\'s registry index.',
  },
  RULE_INVALID_HASH: {
    meaning: 'poseidonChain was called without inputs.',
    action: 'Pass at least one input.',
  },
  RULE_INVALID_BATCH: {
    meaning: 'An epoch or batch number does not fit the 32 bits of the batch header.',
    action: 'Pass an integer in [0, 4294967295].',
  },
  RULE_INVALID_UNITS: {
    meaning: 'Work units are negative or too large to pack.',
    action: 'Compute units with workUnits.',
  },
  RULE_UNFLAGGED_JUMP: {
    meaning: 'Two consecutive unflagged readings are at least 2^20 (1e-7 degree) apart, so the circuit has no proof.',
    action: 'Flag the later reading (flagLargeJumps).',
  },
  WITNESS_DEVICE_OUTSIDE_BATCH: {
    meaning: 'A device given for a batch witness is not in that batch\'s index range.',
    action: 'Put the device in the batch its index belongs to (floor((index - 1) / batchSize)).',
  },
  WITNESS_DUPLICATE_DEVICE: {
    meaning: 'A device appears twice in one batch witness.',
    action: 'Merge the device\'s readings into one entry.',
  },
  CIRCUIT_DEPENDENCY_MISSING: {
    meaning: 'A package the circuit build needs (circomlib) is not installed.',
    action: 'Run `npm install` in the pinbench checkout.',
  },
  CIRCUIT_COMPILE_FAILED: {
    meaning: 'circom failed to compile the batch circuit.',
    action: 'Fix circuits/*.circom; the full compiler output is in details.output.',
  },
  CIRCUIT_SETUP_FAILED: {
    meaning: 'The Groth16 setup (zkey) of the circuit failed.',
    action: 'Check the ptau file (power, phase 2 prepared), or delete it to have it made again.',
  },
  CIRCUIT_LOCK_TIMEOUT: {
    meaning: 'Another process held the circuit build lock for longer than the timeout.',
    action: 'Wait for that build to finish, or delete the lock directory if no build is running.',
  },
  PTAU_NOT_FOUND: {
    meaning: 'The powers-of-tau file given as ptauPath (`--ptau`) does not exist.',
    action: 'Pass an existing prepared .ptau file, or omit it to have one made locally.',
  },
  PTAU_INVALID: {
    meaning: 'The file given as ptauPath is not a readable powers-of-tau file.',
    action: 'Pass a .ptau produced by snarkjs or a ceremony.',
  },
  PTAU_TOO_SMALL: {
    meaning: 'The powers of tau are too small for the circuit shape.',
    action: 'Use a ptau of the power the message gives, or lower batchSize/readingsPerDevice.',
  },
  PTAU_NOT_PREPARED: {
    meaning: 'The ptau file has no prepared phase 2.',
    action: 'Run `npx snarkjs powersoftau prepare phase2 <in.ptau> <out.ptau>` and pass the output.',
  },
  PROOF_WITNESS_REJECTED: {
    meaning: 'The batch input does not satisfy the circuit.',
    action: 'Build the input with buildBatchWitness from the same readings, flags and params, for a circuit of the same shape.',
  },
  PROOF_FAILED: {
    meaning: 'Groth16 proving failed with the circuit\'s zkey.',
    action: 'Rebuild the circuit with buildCircuit.',
  },
  PROOF_VKEY_UNREADABLE: {
    meaning: 'The circuit\'s verification key could not be read.',
    action: 'Rebuild the circuit with buildCircuit.',
  },
  PROOF_WORKER_CRASHED: {
    meaning: 'A prover process crashed on the same batch more than once.',
    action: 'Check the machine\'s free memory and the circuit artifacts.',
  },
  PROVER_CLOSED: {
    meaning: 'A batch was given to, or still queued in, a prover pool that was closed.',
    action: 'Create a new prover pool.',
  },
  SOLC_MISSING: {
    meaning: 'The solc package is not installed or could not be loaded.',
    action: 'Run `npm ci`.',
  },
  SOLC_VERSION_MISMATCH: {
    meaning: 'The installed solc is not the version pinbench pins.',
    action: 'Run `npm ci` to install the locked version.',
  },
  CONTRACTS_COMPILE_FAILED: {
    meaning: 'Solidity compilation failed.',
    action: 'Fix the source at the location the message shows.',
  },
  CONTRACT_NOT_FOUND: {
    meaning: 'A compiled source unit has no contract of the requested name.',
    action: 'Check the contract name (the snarkjs verifier is named Groth16Verifier).',
  },
  VERIFIER_SOURCE_MISSING: {
    meaning: 'The generated Solidity verifier is not at verifierSolPath.',
    action: 'Build the circuits first; the verifier is generated with the zkey.',
  },
  VERIFIER_MISSING: {
    meaning: 'Neither a verifier build nor a verifierAddress was given to deploy.',
    action: 'Compile with verifierSolPath (from the circuit build), or pass verifierAddress.',
  },
  VERIFIER_NOT_DEPLOYED: {
    meaning: 'There is no contract at the verifierAddress given.',
    action: 'Deploy the verifier first, or omit verifierAddress.',
  },
  DEPLOY_NONCE_RACE: {
    meaning: 'A deploy transaction landed at another address than expected: another sender used the deployer\'s nonces.',
    action: 'Deploy from an account nothing else sends from.',
  },
  DUPLICATE_DEVICE: {
    meaning: 'Two devices to register have the same idHash.',
    action: 'Register each device once.',
  },
  INVALID_ARGUMENT: {
    meaning: 'A contracts or chain function got an option or argument of the wrong type or range.',
    action: 'Pass the option the message names as it asks.',
  },
  NO_PROVIDER: {
    meaning: 'A signer or wallet is not connected to a JSON-RPC provider.',
    action: 'Create it with new Wallet(key, provider), or pass options.provider.',
  },
  NO_SIGNER: {
    meaning: 'A contract is not connected to a signer with a provider.',
    action: 'Use contract.connect(operatorSigner).',
  },
  CONTRACT_REVERTED: {
    meaning: 'A contract call or transaction reverted; the message decodes the reason where the ABI allows.',
    action: 'Follow the decoded reason; an undecoded revert of a mined transaction most likely ran out of gas.',
  },
  CONTRACT_EVENT_MISSING: {
    meaning: 'A registration was mined but its receipt holds no DeviceRegistered event for the device.',
    action: 'Point the run at pinbench\'s own DeviceRegistry (the registry address in run.db\'s chain record).',
  },
  CHAIN_REQUEST_FAILED: {
    meaning: 'A request to the chain node failed.',
    action: 'Check that the node is running and the account is funded.',
  },
  RPC_URL_INVALID: {
    meaning: 'The RPC URL given (`--rpc`) is not a valid http(s) URL.',
    action: 'Give an http(s) URL such as http://127.0.0.1:8545.',
  },
  RPC_UNREACHABLE: {
    meaning: 'The chain node at the RPC URL did not answer.',
    action: 'Start a node there, or omit `--rpc` to use the embedded anvil.',
  },
  RPC_TIMEOUT: {
    meaning: 'A request to the chain node did not answer in time.',
    action: 'Check that the node is reachable and not overloaded.',
  },
  ANVIL_MISSING: {
    meaning: 'The anvil binary of @foundry-rs/anvil was not found.',
    action: 'Run `npm ci` to install @foundry-rs/anvil and its platform package.',
  },
  ANVIL_UNSUPPORTED_PLATFORM: {
    meaning: '@foundry-rs/anvil ships no binary for this platform and architecture.',
    action: 'Run a node yourself and pass `--rpc URL`.',
  },
  ANVIL_SPAWN_FAILED: {
    meaning: 'The anvil process could not be started.',
    action: 'Run `npm ci`; the message names the binary tried.',
  },
  ANVIL_EXITED: {
    meaning: 'anvil exited during startup.',
    action: 'Check the port and flags; its last output is in the message.',
  },
  ANVIL_START_TIMEOUT: {
    meaning: 'anvil did not answer eth_chainId within the start timeout.',
    action: 'The machine may be overloaded: raise startTimeoutMs.',
  },
  TX_SENDER_CLOSED: {
    meaning: 'A transaction was given to, or not yet confirmed by, a TxSender that was closed.',
    action: 'Start a new TxSender; a transaction already sent may still be mined: look its hash up before sending it again.',
  },
  TX_SEND_FAILED: {
    meaning: 'A transaction could not be sent.',
    action: 'Check that the node is reachable and the account funded, then start a new TxSender and send it again.',
  },
  TX_NONCE_GAP: {
    meaning: 'A nonce could neither be used nor filled, so later transactions from the account are stuck.',
    action: 'Check that the node is reachable, then start a new TxSender (it re-reads the pending nonce) and send them again.',
  },
  TX_UNCONFIRMED: {
    meaning: 'Receipt polls for a sent transaction failed too many times in a row.',
    action: 'Check the node, then look the transaction\'s hash up before sending it again.',
  },
  TX_REPLACED: {
    meaning: 'A transaction\'s nonce was used by another transaction.',
    action: 'Give the TxSender an account nothing else sends from, then send it again.',
  },
  TX_DROPPED: {
    meaning: 'A sent transaction was dropped or replaced and has no receipt.',
    action: 'Send it again.',
  },
  TX_OUT_OF_GAS: {
    meaning: 'A transaction used its whole gas limit and reverted.',
    action: 'Raise its gasLimit.',
  },
  TX_REVERTED: {
    meaning: 'A mined transaction reverted, and replaying it did not give the reason.',
    action: 'Send it again if it is still needed; what it depended on may have changed.',
  },
} as const satisfies Record<string, ErrorCodeInfo>;

export type ErrorCode = keyof typeof ERROR_CODES;

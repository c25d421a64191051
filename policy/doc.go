// Package policy decides whether the vault may sign a reviewed transaction:
// the spending policy file, its rules, approvals, velocity limits over the
// journal, admin quorums and the suspension of the key (ISO/TR 23576
// 5.4.4, 5.5.5, 9.3.7).
//
// The offline signer and the online pre-flight call the same code:
//
//	pol, err := policy.Parse(fileBytes, network)           // strict YAML
//	state, _, err := policy.ReadState(journal, journalPub)  // verifies the hash chain
//	d := pol.Evaluate(policy.Input{Review: review, Approvals: approvals,
//	        Initiator: initiator, Journal: state, Clock: now})
//	if err := d.Err(); err != nil { … }                     // *RefusalError
//
// Review comes from sign.Analyze; approvals from approval.ReadDir or
// approval.ReadEmbedded (package policy/approval). A new policy replaces the
// installed one only with a quorum of the installed policy's admins
// (Policy.CheckQuorum over the new file's exact bytes); a suspension or a
// lock is lifted the same way over ResumeStatement.
//
// # The policy file
//
// YAML, read strictly: an unknown or misspelt field, a repeated field,
// anchors, aliases and tags are errors naming the line. Amounts carry a
// unit ("2.5btc", "150000sat"), fee rates "50sat/vb", durations "24h",
// "30m", "7d". The rules are tried in order; the first that the
// transaction satisfies allows it (its name is the decision's Rule); none
// means refused, with every rule's reasons. A rule sets:
//
//	name             required
//	destinations     a list of addresses and descriptors (with checksum;
//	                 ranged ones allow indexes 0 to 999 of each branch), or
//	                 any; a rule without destinations allows any address
//	max_per_tx       what leaves the vault in this transaction
//	velocity         {limit, window}: what left the vault in the sliding
//	                 window, under any rule, plus this transaction
//	wallets          the vault accounts ("wpkh-0", "tr-0", …) and
//	                 registered multisig wallets whose inputs it covers
//	max_fee, max_fee_rate, max_fee_percent
//	approvals        {group, required}: M approvals from a named group
//	sighash          allowed sighash types (default ALL only)
//	script_types     allowed spend types of the vault's inputs
//	confirm          the officer must type the amount
//	warnings_ok      the review's warnings do not refuse
//	time_window      {days: [mon-fri], hours: "09:00-17:00", zone: "+01:00"}
//
// A rule must set at least one of max_per_tx, velocity, approvals or a
// destinations list: a rule with no limit is refused when the policy is
// read (an accidental allow-all). "What leaves the vault" is the review's
// Sent: outputs to external addresses; change and the vault's own receive
// addresses count for nothing. A review warning refuses unless the rule
// sets warnings_ok. A fee above 10% of the amount (which the review
// refuses) is allowed only by a rule with max_fee or max_fee_percent that
// the fee meets; a sighash type other than ALL only by a rule listing it.
//
// # Approvals and maker-checker
//
// An approval counts for a rule when its signature verifies with the key
// the policy lists for its approver, the approver is in the rule's group,
// it is for this transaction (txid, network, outputs and fee), it has not
// expired, and the approver is not the request's initiator. Two approvals
// by one person count once. Each approval that does not count is reported
// with a sentence naming who and why.
//
// # Security
//
// Velocity sums the journal's sign entries (audit.SpentIndex) in the same
// pass that verifies the journal's hash chain and signatures, so an edited
// or truncated journal refuses instead of reopening a limit; the index
// answers in O(log n). The time used is the later of the signer's clock and
// the newest valid approval's creation time, and the signer refuses when
// its clock reads earlier than the journal's last entry, so a clock set
// back cannot reopen a window. After LockAfterRefusals refusals in a row
// signing stops until an admin quorum signs a resume statement, which names
// the journal entry that began the hold so it cannot be replayed. Nothing
// in this package holds a secret.
//
// # Errors
//
// Parse returns a *ParseError with the line. Evaluate never fails: its
// Decision's Err is nil or a *RefusalError (errors.Is ErrRefused) whose
// Reasons carry a Code each (Codes lists them, each has a name) and whose
// NeedsApprovals says whether approvals alone could lift it (exit code 11
// rather than 10). CheckQuorum returns a *QuorumError (errors.Is
// ErrQuorum) naming each signature that did not count and why.
package policy

package cli

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"loginshell/internal/shell"
)

const complianceSynopsis = "loginshell compliance [--json]\n      prints the 21 CFR Part 11 clauses that fall on a signing client, how loginshell meets each, and the test that proves it"

// runCompliance prints the compliance matrix: for each clause of 21 CFR
// Part 11 that falls on a client that takes electronic signatures, what
// loginshell does about it, how far ("met", "partly", "not by
// loginshell"), and the tests that prove it, as commands a validator can
// run. --json prints the same for machines.
func runCompliance(e *env, args []string) error {
	var asJSON bool
	fs := newFlags("compliance")
	fs.BoolVar(&asJSON, "json", false, "print the matrix as JSON")
	if help, err := e.parse("compliance", fs, args); help || err != nil {
		return err
	}
	if err := e.noArgs("compliance", fs); err != nil {
		return err
	}
	if asJSON {
		b, err := json.MarshalIndent(struct {
			Version string   `json:"version"`
			Clauses []clause `json:"clauses"`
		}{shell.Version, complianceMatrix()}, "", "  ")
		if err != nil {
			return err
		}
		fmt.Fprintln(e.stdout, string(b))
		return nil
	}
	printMatrix(e.stdout, complianceMatrix())
	return nil
}

// How far loginshell meets a clause.
const (
	met     = "met"
	partly  = "partly"
	notByUs = "not by loginshell"
)

// clause is one row of the matrix. How says only what the code does now:
// a claim the code stops making true must leave the matrix with it.
type clause struct {
	ID          string  `json:"clause"`
	Requirement string  `json:"requirement"`
	Status      string  `json:"status"`
	How         string  `json:"how"`
	Proof       []proof `json:"proof"`
}

// proof is a test behind a claim: a Go test (Where is its package's
// directory from the module root, Name the Test function) or a browser
// test (Where is its file, Name its title). TestComplianceMatrix fails
// when one names a test that does not exist.
type proof struct {
	Kind  string `json:"kind"` // "go" or "e2e"
	Where string `json:"where"`
	Name  string `json:"name"`
}

// Command is how to run the test: a Go test from the source tree (with
// -tags webkit2_41 on Linux, as make test does), a browser test by make
// e2e, which builds the binary it needs.
func (p proof) Command() string {
	if p.Kind == "e2e" {
		return fmt.Sprintf("make e2e: %s, test %q", p.Where, p.Name)
	}
	return fmt.Sprintf("go test ./%s -run '^%s$'", p.Where, p.Name)
}

func goTest(where, name string) proof { return proof{Kind: "go", Where: where, Name: name} }
func e2e(file, name string) proof {
	return proof{Kind: "e2e", Where: "frontend/e2e/" + file, Name: name}
}

// complianceMatrix is the matrix, in the order of the regulation.
func complianceMatrix() []clause {
	return []clause{
		{"11.10(a)", "Validation of systems: accuracy, reliability, consistent intended performance, and the ability to discern invalid or altered records",
			partly,
			"It ships the evidence for its own part: `make test` runs the unit tests, the store contract on SQLite and PostgreSQL, kill -9 tests, fuzz seeds and browser tests, and this matrix names a test behind every claim (a test fails when it names one that does not exist). `loginshell audit verify` discerns an altered, missing or reordered entry of the signature trail and, held against the checkpoints every station signs, a trail cut at its end, re-hashed end to end, or added to without a station's key. Validating loginshell for the plant's intended use (IQ/OQ/PQ) is the plant's.",
			[]proof{goTest("internal/cli", "TestComplianceMatrix"), goTest("internal/audit", "TestVerifyFindsEveryAlteredField"),
				goTest("internal/audit", "TestVerifyStopsAtTheFirstBreak"), goTest("internal/cli", "TestAudit"),
				goTest("internal/cli", "TestVerifyNamesTampering")}},
		{"11.10(b)", "Accurate and complete copies of records in human readable and electronic form for inspection",
			partly,
			"`loginshell audit show` prints the signature trail for people, `audit show --json` one JSON object per entry; a request with its slots and signatures, settled or not, reads back as JSON (GET /pmapi/signature/requests/{uuid}, getAuthRequest). `audit export` writes a self-contained copy of the trail (its entries, the stations' keys and signed checkpoints) that `audit verify --export` and a reference verifier in Python check without the product. The records signed for (batch records) are the MES's, not loginshell's.",
			[]proof{goTest("internal/cli", "TestAudit"), goTest("internal/audit", "TestFormatGolden"), goTest("internal/serve", "TestGetAuthRequest"),
				goTest("internal/cli", "TestExportForAuditors"), goTest("internal/cli", "TestTamperedExportsAreRefused")}},
		{"11.10(c)", "Protection of records to enable their accurate and ready retrieval throughout the records retention period",
			partly,
			"Requests, signatures and their audit entries are committed in one transaction (SQLite in WAL with synchronous=FULL in the data directory, or the plant's PostgreSQL): nothing committed is lost to kill -9, and pending requests survive a restart. Offline vaults and settings are written atomically. Backups and keeping the records for their retention period are the plant's.",
			[]proof{goTest("internal/store/sqlite", "TestSurvivesKill"), goTest("internal/durability", "TestKillDuringWrites"),
				goTest("internal/signature", "TestRestartBetweenSignatures"), goTest("internal/store/postgres", "TestStationsDatabaseRestart")}},
		{"11.10(d)", "Limiting system access to authorized individuals",
			partly,
			"People sign in to the shell at the organisation's OpenID provider, or offline with the password that opens their vault on this computer (locked after ten wrong tries); browser mode answers only loopback requests carrying its per-run key; hosted pages cannot call the chrome's bindings or answer a signature dialog. Access to the computer, its data directory and the plant's database is the plant's.",
			[]proof{goTest("internal/auth", "TestOfflineLogin"), goTest("internal/keychain", "TestTenWrongPasswordsLockOut"),
				goTest("internal/gateway", "TestGuard"), goTest("app", "TestBindingsRefuseCallsWithoutTheToken"),
				e2e("login.test.mjs", "serve mode refuses requests without the key, from another host or site")}},
		{"11.10(e)", "Secure, computer-generated, time-stamped audit trails of operator entries and actions; changes do not obscure what was recorded",
			partly,
			"Every queue, trigger, sign-in attempt, success, failure, lockout, approval, rejection, cancel, timeout and template change is an append-only entry with UTC time and the station's offset, the station, and for signatures the signer; each entry holds the hash of the one before, so a change shows in `audit verify`. Every entry names the station and who acted (the person signed in and the page's package, or the OS user and host of a command), and signature entries the identity provider that verified the signer. Each station signs a checkpoint with its own Ed25519 key for every transaction it commits to the trail, so a trail cut at its end, re-hashed end to end, or added to without a station's key is named by `audit verify`, as are a station key replaced in the store, a store removed or replaced by an empty one, a request queued from a template edited in the store, a request put into or its state set in the store, and a signature's slot edited in the store (never offered to sign); keeping the trail for the retention period is the plant's.",
			[]proof{goTest("internal/audit", "TestSeal"), goTest("internal/audit", "TestVerifyFindsEveryAlteredField"),
				goTest("internal/audit", "TestCheckTrail"), goTest("internal/cli", "TestVerifyNamesTampering"),
				goTest("internal/cli", "TestVerifyNamesAStoreRemovedOrReplaced"), goTest("internal/store/sqlite", "TestSurvivesKill"), e2e("signature.test.mjs", "the audit trail is intact and says who signed")}},
		{"11.10(f)", "Operational system checks to enforce permitted sequencing of steps and events",
			partly,
			"A request is approved only when every slot of its template's expression is approved, rejected by its first rejection, and then takes no further signature; a slot counts one signature, even when two stations sign it at once; an answer after the challenge's timeout never counts; a template with ordered has its slots signed in expression order, checked at the trigger and again when the signature is settled.",
			[]proof{goTest("internal/signature", "TestTwoSigners"), goTest("internal/signature", "TestOrderedSlots"), goTest("internal/store", "TestSettleInOrder"), goTest("internal/signature", "TestPins"), goTest("internal/signature", "TestTimeIsFinal"),
				goTest("internal/signature", "TestChallengeEndedElsewhere"),
				e2e("stations.test.mjs", "B and C sign one slot at the same moment: one counts, the other is told"),
				e2e("part11.test.mjs", "order: the supervisor's signature cannot come first; the page is told who signs first, and no dialog opens")}},
		{"11.10(g)", "Authority checks: only authorized individuals can sign, alter a record, or perform the operation",
			met,
			"A slot admits only a signer its clause names ({role:X}, {group:X} from the provider's roles and groups claims, {userName:X}); under forceUniqueUser no person signs two slots of a request, and one who could give several is kept from giving one that leaves another with nobody (refused where the identity knows everyone, asked first where it cannot); templates (who must sign, the meaning) change only on the plant's side, never from a hosted page; a page reaches only its own package's requests.",
			[]proof{goTest("internal/signature", "TestClauseAdmits"), goTest("internal/signature", "TestTwoSigners"),
				goTest("internal/signature", "TestGroupAtTheProvider"), goTest("internal/signature", "TestSlotChoice"),
				goTest("internal/signature", "TestSlotChoiceWithARoster"), goTest("internal/serve", "TestPagesCannotChangeTemplates"),
				goTest("internal/serve", "TestAPageReachesOnlyItsOwnRequests")}},
		{"11.10(h)", "Device checks: the validity of the source of data input or operational instruction",
			partly,
			"A signature is answered only in the shell's own dialog: its endpoints are on the chrome's origin and its bindings need the chrome's token, so a hosted page can neither answer nor dismiss it; every entry names the station it was written at. Which computers may run the shell is the plant's.",
			[]proof{goTest("app", "TestDialogBindingsRefuseCallsWithoutTheToken"), goTest("internal/serve", "TestSignatureServices"),
				goTest("internal/gateway", "TestChallengeEndpoints"),
				e2e("hostile.test.mjs", "from inside the shell, the package's page reaches the services and nothing else")}},
		{"11.10(i)", "Persons who develop, maintain or use the system have the education, training and experience",
			notByUs, "Training of the plant's people is the plant's.", nil},
		{"11.10(j)", "Written policies holding individuals accountable for actions under their electronic signatures",
			notByUs, "The policy, and having signers certify it, are the plant's.", nil},
		{"11.10(k)", "Controls over systems documentation (distribution, access, revision and change control)",
			notByUs, "loginshell's README and this matrix are versioned with its code; controlling the plant's copies is the plant's.", nil},
		{"11.50", "Signature manifestations: printed name, date and time, and meaning of each signature, in every human readable form of the record",
			met,
			"The dialog states the request and its record, which signature it is and who may give it, who gave the ones before, and the meaning of the decision (the approval's or the rejection's) before the signer signs; each signature keeps the printed name (from the provider or the vault), the user ID, the time (UTC; the audit entry adds the station's offset), the meaning, approve or reject and the comment, in the request, the page's outcome and the audit trail, and `audit show` prints them.",
			[]proof{goTest("internal/audit", "TestFormatGolden"), goTest("internal/signature", "TestTwoSigners"), goTest("internal/serve", "TestGetAuthRequest"),
				goTest("internal/signature", "TestMeaningOfTheDecision"),
				e2e("signature.test.mjs", "two signers release the line through the shell's dialog"),
				e2e("part11.test.mjs", "meanings: the rejection's dialog states the rejection meaning; the signature, the outcome and the trail keep it"),
				e2e("dialogwords.test.mjs", "signature 2 says who gave signature 1 and when, and that it must be someone else"),
				e2e("signature.test.mjs", "the audit trail is intact and says who signed")}},
		{"11.70", "Signature/record linking: signatures cannot be excised, copied or transferred to falsify a record",
			met,
			"What a request asks people to sign (its name, description, record and the template as queued) is hashed when it is queued, and the hash is in every audit entry of the request and shown in the dialog as a fingerprint; a signature is stored on its slot in the transaction that writes its audit entries. `audit verify` compares every stored request and signature with the trail: an edited name, description, record or template, an edited printed name, comment, meaning, decision or time, a signature no entry recorded, or a request removed, is named.",
			[]proof{goTest("internal/cli", "TestVerifyNamesEditedRecords"), goTest("internal/store/sqlite", "TestContract"),
				goTest("internal/audit", "TestVerifyFindsEveryAlteredField"), goTest("internal/audit", "TestHashGolden")}},
		{"11.100", "Each electronic signature unique to one individual, not reused or reassigned; identity verified; certification to the FDA",
			partly,
			"A signer is a user ID of the organisation's provider or of one vault on this computer (one vault per user ID, created only after that person's online sign-in); under forceUniqueUser one person signs one slot of a request. Issuing unique IDs, verifying identities before issuing them and certifying to the FDA are the organisation's.",
			[]proof{goTest("internal/keychain", "TestCreateRefusesAnExistingVault"), goTest("internal/auth", "TestSetup"),
				goTest("internal/signature", "TestTwoSigners")}},
		{"11.200", "Electronic signature components: two distinct components (user ID and password), each used at every signing outside a continuous session; used only by their owners",
			partly,
			"With a template of idp local, every signing asks for both user ID and password, the next signing by the same person too; the password opens the person's vault and goes into no trail, log or outcome. With idp openid the provider's page asks, and only with the template's force does the shell demand a fresh password (prompt=login, max_age=0, auth_time checked): without force a provider may sign on its own session.",
			[]proof{goTest("internal/signature", "TestBothComponentsEveryTime"), goTest("internal/signature", "TestSignAtTheProvider"),
				goTest("internal/audit", "TestNoSecretInTheTrail"), goTest("internal/keychain", "TestLogNeverHoldsAPassword"),
				e2e("signature.test.mjs", "two signers release the line through the shell's dialog")}},
		{"11.300", "Controls for identification codes and passwords: uniqueness, periodic revision, loss management, safeguards against unauthorized use, device testing",
			partly,
			"(a) one vault per user ID; (b) offline passwords of at least 8 characters, changed with the old one; periodic revision is the provider's and the plant's; (c) loginshell has no procedure for a lost offline password (it changes only with the old one); deauthorizing lost credentials at the provider is the organisation's; (d) ten wrong passwords lock the person out for a growing delay that survives restarts; at the signature dialog every attempt, failure and locked-out try of a known user ID is an audit entry naming the person, every identity used for signing locks out the same way (the demo's too), and a lockout or three failed attempts in a row at one slot raise an alert: an audit entry, a WARN line, a notice on every station on the store, `loginshell audit alerts --follow`, and the optional alert_command; (e) no tokens or cards are used.",
			[]proof{goTest("internal/keychain", "TestCheckPassword"), goTest("internal/keychain", "TestChangePassword"),
				goTest("internal/keychain", "TestTenWrongPasswordsLockOut"), goTest("internal/keychain", "TestLockoutSurvivesRestart"),
				goTest("internal/signature", "TestLockoutAtTheDialogIsInTheTrail"), goTest("internal/signature", "TestMisuseIsReported"),
				e2e("login.test.mjs", "offline sign-in with the IdP stopped, wrong password first"),
				e2e("part11.test.mjs", "lockout parity: the demo identity locks a signer out after as many wrong passwords as the local one"),
				e2e("part11.test.mjs", "alerts: the lockout shows in the chrome's notice, and `loginshell audit alerts` lists it")}},
	}
}

// printMatrix prints the matrix for people.
func printMatrix(w io.Writer, m []clause) {
	fmt.Fprintf(w, "21 CFR Part 11 on a signing client: how loginshell %s meets each clause, and the tests that prove it.\n", shell.Version)
	fmt.Fprintln(w, "met: loginshell meets it. partly: the text says what loginshell does and what is left to others.")
	fmt.Fprintln(w, "not by loginshell: the plant's or the organisation's.")
	fmt.Fprintln(w, "Go tests run from the source tree (-tags webkit2_41 on Linux, as make test does).")
	const indent = "               "
	field := func(label, text string) {
		for i, line := range wrap(text, 100-len(indent)) {
			if i == 0 {
				fmt.Fprintf(w, "  %-12s %s\n", label, line)
			} else {
				fmt.Fprintf(w, "%s%s\n", indent, line)
			}
		}
	}
	for _, c := range m {
		fmt.Fprintf(w, "\n%s  %s\n", c.ID, c.Status)
		field("requirement", c.Requirement)
		field("loginshell", c.How)
		for i, p := range c.Proof {
			label := ""
			if i == 0 {
				label = "proof"
			}
			fmt.Fprintf(w, "  %-12s %s\n", label, p.Command())
		}
	}
}

// wrap breaks s into lines of at most width characters at spaces.
func wrap(s string, width int) []string {
	var lines []string
	line := ""
	for _, word := range strings.Fields(s) {
		if line != "" && len(line)+1+len(word) > width {
			lines = append(lines, line)
			line = ""
		}
		if line != "" {
			line += " "
		}
		line += word
	}
	if line != "" {
		lines = append(lines, line)
	}
	return lines
}

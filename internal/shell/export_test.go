package shell

// SettingsWritten waits until every change of the login server made so
// far is in the audit trail, which the shell writes off the caller.
func (sh *Shell) SettingsWritten() { sh.settingsWritten() }

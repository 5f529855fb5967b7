#Requires -Version 7.6
<#
.SYNOPSIS
    Mirrors Exchange Online contacts between users and a shared mailbox folder: the drop-in
    replacement for the Automation-ContactsMirroring.ps1 CI script, shipped with ExoKit.

.DESCRIPTION
    Runs with the original's variables (AUTOMATION_SYNCCONTACTS_CONFIG_JSON, or
    AUTOMATION_SYNCCONTACTS_MICROSOFT_TENANTS_JSON, or AUTOMATION_SYNCCONTACTS_TENANT_ID,
    _CLIENT_ID, _CLIENT_SECRET and _GLOBAL_ADDRESS_BOOK_USER_ID; with
    AUTOMATION_SYNCCONTACTS_TEST_USER_LIST_BY_TENANT_JSON and AUTOMATION_SYNCCONTACTS_DRY_RUN) and
    prints the original's log lines, so a pipeline keeps its variables and its log parsers.

    Instead of a client secret, a tenant may use a certificate (_CERTIFICATE_PATH with
    _CERTIFICATE_PASSWORD), a federated token (_FEDERATED_TOKEN, e.g. a GitLab id_tokens entry, or
    _FEDERATED_TOKEN_FILE) or the host's managed identity (_USE_MANAGED_IDENTITY=true); in the
    JSON, the fields CertificatePath, CertificatePassword, FederatedTokenFile, UseManagedIdentity.
    ExoKit's own variables: AUTOMATION_SYNCCONTACTS_STATE_PATH (the state file that makes later
    runs cost one delta request per mailbox; keep it in the pipeline's cache),
    AUTOMATION_SYNCCONTACTS_PROPAGATE_DELETES (true: deletions propagate) and
    AUTOMATION_SYNCCONTACTS_MAX_DELETES (default 10: a run that would delete more deletes nothing).

    Unlike the original it exits 1 when anything failed (a configuration error, a tenant that
    could not run, a write that failed), after finishing everything else; 0 otherwise.
    The differences are listed in ExoKit's README ("Differences from the original script").
#>
[CmdletBinding()]
param()

$ErrorActionPreference = 'Continue'
# .NET paths rather than Split-Path/Join-Path: the script needs nothing beyond the engine's core.
$module = [System.IO.Path]::Combine([System.IO.Path]::GetDirectoryName($PSScriptRoot), 'ExoKit.psd1')
# Quietly, even with -Verbose: the run's own lines are what a pipeline log is for.
Import-Module $module -ErrorAction Stop -Verbose:$false

$failures = $null
try {
    $null = Invoke-ContactMirror -FromEnvironment -InformationAction Continue -ErrorVariable failures
}
catch {
    # A configuration error: named variable and JSON position, nothing was sent.
    $PSCmdlet.WriteError($_)
    exit 1
}
if ($failures) {
    exit 1
}
exit 0

@{
    RootModule           = 'ExoKit.dll'
    ModuleVersion        = '0.1.0'
    GUID                 = '5d2b8f0e-3c41-4f7a-9a6e-2b7d1c9e4f60'
    Author               = 'ExoKit contributors'
    CompanyName          = 'ExoKit'
    Copyright            = '(c) ExoKit contributors. MIT licence.'
    Description          = 'Exchange Online admin tasks over Microsoft Graph and the Exchange admin REST endpoint: contact mirroring, app mailbox scoping (RBAC for Applications, Application Access Policies), external calendar sharing. App-only, no other module needed.'
    PowerShellVersion    = '7.6'
    CompatiblePSEditions = @('Core')
    FormatsToProcess     = @('ExoKit.Format.ps1xml')
    # Explicit lists (no wildcards): command discovery stays cheap and nothing leaks out.
    CmdletsToExport      = @(
        'Connect-ExoKit'
        'Disconnect-ExoKit'
        'Get-ExoKitContext'
        'Get-ExchangeAppRoleDefinition'
        'New-ExchangeAppRoleAssignment'
        'Get-ExchangeAppRoleAssignment'
        'Remove-ExchangeAppRoleAssignment'
        'New-ExchangeApp'
        'Test-ExchangeAppAccess'
        'Invoke-ContactMirror'
        'Get-ExchangeAppAccessPolicy'
        'New-ExchangeAppAccessPolicy'
        'Set-ExchangeAppAccessPolicy'
        'Remove-ExchangeAppAccessPolicy'
        'Test-ExchangeAppAccessPolicy'
        'New-ExchangeAppScopeGroup'
        'Get-CalendarPublishing'
        'Set-CalendarPublishing'
        'Set-CalendarExternalBooking'
        'Get-ExchangeAppAccessReport'
        'ConvertTo-ExchangeAppRoleAssignment'
        'Get-ContactMirrorState'
        'Reset-ContactMirrorState'
    )
    FunctionsToExport    = @()
    AliasesToExport      = @()
    VariablesToExport    = @()
    PrivateData          = @{
        PSData = @{
            Tags         = @('Exchange', 'ExchangeOnline', 'Graph', 'RBAC', 'Contacts', 'PSEdition_Core', 'Linux', 'Windows', 'MacOS')
            ProjectUri   = 'https://github.com/exokit/exokit'
            LicenseUri   = 'https://github.com/exokit/exokit/blob/main/LICENSE'
            # Below 1.0 every package is a prerelease: ExoKit.0.1.0-preview.nupkg.
            Prerelease   = 'preview'
            # The newest section of CHANGELOG.md, word for word (Package.Tests.ps1 checks it).
            ReleaseNotes = 'First preview. Connect-ExoKit signs in as an app (client secret, certificate, managed identity, workload identity federation, a held access token) in any cloud, through proxies and private CAs; Get-ExoKitContext, Disconnect-ExoKit. RBAC for Applications: Get-ExchangeAppRoleDefinition, New-ExchangeAppRoleAssignment, Get-ExchangeAppRoleAssignment, Remove-ExchangeAppRoleAssignment, New-ExchangeApp, Test-ExchangeAppAccess. Application Access Policies: New-ExchangeAppAccessPolicy, Get-ExchangeAppAccessPolicy, Set-ExchangeAppAccessPolicy, Remove-ExchangeAppAccessPolicy, Test-ExchangeAppAccessPolicy, New-ExchangeAppScopeGroup; the audit Get-ExchangeAppAccessReport and the migration to RBAC ConvertTo-ExchangeAppRoleAssignment. External calendar sharing: Get-CalendarPublishing, Set-CalendarPublishing, Set-CalendarExternalBooking. The contact mirror: Invoke-ContactMirror, Get-ContactMirrorState, Reset-ContactMirrorState, and the drop-in scripts/Automation-ContactsMirroring.ps1.'
        }
    }
}

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
    )
    FunctionsToExport    = @()
    AliasesToExport      = @()
    VariablesToExport    = @()
    PrivateData          = @{
        PSData = @{
            Tags         = @('Exchange', 'ExchangeOnline', 'Graph', 'RBAC', 'Contacts', 'PSEdition_Core', 'Linux', 'Windows', 'MacOS')
            LicenseUri   = 'https://opensource.org/licenses/MIT'
            ReleaseNotes = 'Connect-ExoKit (client secret; clouds, proxies, private CAs), Get-ExoKitContext, Disconnect-ExoKit, Get-ExchangeAppRoleDefinition, Invoke-ContactMirror and the drop-in scripts/Automation-ContactsMirroring.ps1.'
        }
    }
}

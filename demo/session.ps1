# The demo session: what an admin types on a first day with ExoKit, against the sandbox tenant.
# `cargo xtask demo` starts the sandbox and sets the EXOKIT_DEMO_* variables.
$ErrorActionPreference = 'Stop'

Import-Module $env:EXOKIT_MODULE
# The demo keeps its own contact mirror state, not the user's real one.
$env:AUTOMATION_SYNCCONTACTS_STATE_PATH = [System.IO.Path]::Combine([System.IO.Path]::GetTempPath(), "exokit-demo-$PID.sqlite")

'> Connect-ExoKit -TenantId $tenant -ClientId $appId -ClientSecret $secret -GraphEndpoint $url -AuthorityHost $url'
$secret = [System.Net.NetworkCredential]::new('', $env:EXOKIT_DEMO_SECRET).SecurePassword
Connect-ExoKit -TenantId $env:EXOKIT_DEMO_TENANT -ClientId $env:EXOKIT_DEMO_CLIENT_ID -ClientSecret $secret `
    -GraphEndpoint $env:EXOKIT_DEMO_URL -AuthorityHost $env:EXOKIT_DEMO_URL

'> Get-ExoKitContext'
Get-ExoKitContext | Out-Default

'> Get-ExchangeAppRoleDefinition | Where-Object AllowedPrincipalTypes -eq servicePrincipal'
Get-ExchangeAppRoleDefinition | Where-Object AllowedPrincipalTypes -eq servicePrincipal | Out-Default

'> Invoke-ContactMirror -SharedMailbox allcontacts@contoso.onmicrosoft.com -WhatIf'
Invoke-ContactMirror -SharedMailbox allcontacts@contoso.onmicrosoft.com -WhatIf | Out-Default

'> Invoke-ContactMirror -SharedMailbox allcontacts@contoso.onmicrosoft.com -InformationAction Continue'
Invoke-ContactMirror -SharedMailbox allcontacts@contoso.onmicrosoft.com -InformationAction Continue | Out-Default

'> Invoke-ContactMirror -SharedMailbox allcontacts@contoso.onmicrosoft.com   # again: nothing changed, nothing written'
Invoke-ContactMirror -SharedMailbox allcontacts@contoso.onmicrosoft.com | Out-Default

'> Get-ContactMirrorState   # what the state file keeps between runs: delta links, last-seen contacts'
Get-ContactMirrorState | Out-Default

'> Reset-ContactMirrorState -Confirm:$false'
Reset-ContactMirrorState -Confirm:$false

'> Disconnect-ExoKit'
Disconnect-ExoKit

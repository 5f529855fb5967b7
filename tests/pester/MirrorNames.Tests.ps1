# Get-ContactMirrorState names mailboxes by UPN, as an admin knows them (issue 20, item 11); the
# object id stays in MailboxId.

BeforeAll {
    Import-Module "$PSScriptRoot/Support/TestSupport.psm1" -Force
    Import-Module (Get-TestPath).Module -Force
    $script:M = Get-MirrorTenantInfo
}

Describe 'Get-ContactMirrorState' {
    AfterEach { Remove-MirrorTenant $script:Tenant }

    It 'shows each mailbox by UPN, its id in MailboxId, after a run given the shared mailbox by id' {
        $script:Tenant = New-MirrorTenant
        Connect-TestSandbox $script:Tenant.Sandbox
        $path = New-TestStatePath
        try {
            Invoke-ContactMirror -SharedMailbox $script:M.HubId -StatePath $path | Out-Null
            $rows = @(Get-ContactMirrorState -StatePath $path)
            $rows | Should -HaveCount 3
            $hub = @($rows | Where-Object MailboxId -EQ $script:M.HubId)
            $hub | Should -HaveCount 1
            $hub[0].Mailbox | Should -Be $script:M.HubUpn
            $user = @($rows | Where-Object MailboxId -EQ (Get-MirrorUserId 0))
            $user[0].Mailbox | Should -Be (Get-MirrorUpn 0)
            $rows | ForEach-Object { $_.Mailbox | Should -BeLike '*@*' }
            ($rows | Format-Table | Out-String -Width 120) | Should -BeLike "*$($script:M.HubUpn)*"
        } finally {
            Remove-TestStatePath $path
        }
    }
}

# Access reasons name a user scope by UPN, as Get-ExchangeAppRoleAssignment does, not by the
# object id Exchange gives (issue 20, item 11).

BeforeAll {
    Import-Module "$PSScriptRoot/Support/TestSupport.psm1" -Force
    Import-Module (Get-TestPath).Module -Force
    $script:R = Get-AppRbacTenantInfo
}

Describe 'User scopes in access reasons' {
    BeforeAll {
        $script:Sandbox = Start-TestSandbox -Seed (New-AppRbacSeed)
        Connect-TestSandbox $script:Sandbox -Extra @{ ExchangeEndpoint = "$($script:Sandbox.BaseUrl)/outlook.office365.com/" }
        $script:App = New-ExchangeApp -DisplayName VacationMail -Role Mail.ReadBasic -User $script:R.Alex
        $script:AlexId = $script:R.UserIds[$script:R.Alex]
    }
    AfterAll { Stop-TestSandbox $script:Sandbox }

    It 'Test-ExchangeAppAccess names the user scope by UPN, granted and denied' {
        (Get-ExchangeAppRoleAssignment -App VacationMail).Scope | Should -Be $script:R.Alex
        $rows = @(Test-ExchangeAppAccess -App $script:App.AppId -Mailbox $script:R.Alex, $script:R.Adele -Permission Mail.ReadBasic)
        $rows | Should -HaveCount 2
        $granted = $rows | Where-Object Mailbox -EQ $script:R.Alex
        $granted.Access | Should -Be 'Granted'
        $granted.Reason | Should -BeLike "*$($script:R.Alex)*"
        $denied = $rows | Where-Object Mailbox -EQ $script:R.Adele
        $denied.Access | Should -Be 'Denied'
        $denied.Reason | Should -BeLike "*outside*$($script:R.Alex)*"
        $rows | ForEach-Object { $_.Reason | Should -Not -BeLike "*$($script:AlexId)*" }
    }

    It 'Get-ExchangeAppAccessReport names the user scope by UPN' {
        $rows = @(Get-ExchangeAppAccessReport -App VacationMail -Mailbox $script:R.Alex, $script:R.Adele)
        $rows | Should -Not -BeNullOrEmpty
        ($rows | Where-Object Mailbox -EQ $script:R.Alex).Reason | Should -BeLike "*$($script:R.Alex)*"
        $rows | ForEach-Object { $_.Reason | Should -Not -BeLike "*$($script:AlexId)*" }
    }
}

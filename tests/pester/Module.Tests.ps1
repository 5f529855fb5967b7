# The module as a package: what it exports, its help, its files, importing it again and into
# other runspaces of the same process. (Ported from tests/ExoKit.Tests/ModuleTests.cs.)

BeforeAll {
    Import-Module "$PSScriptRoot/Support/TestSupport.psm1" -Force
    $paths = Get-TestPath
    Import-Module $paths.Module -Force
    # Every cmdlet class the module's assembly defines, as Verb-Noun.
    $script:CmdletClasses = (Get-Module ExoKit).ImplementingAssembly.GetTypes() |
        ForEach-Object { $_.GetCustomAttributes([Management.Automation.CmdletAttribute], $false) } |
        ForEach-Object { "$($_.VerbName)-$($_.NounName)" } |
        Sort-Object -CaseSensitive
}

Describe 'ExoKit module' {
    It 'Get-Command lists exactly the exported cmdlets' {
        $script:CmdletClasses | Should -Contain 'Connect-ExoKit'
        $script:CmdletClasses | Should -Contain 'Invoke-ContactMirror'
        $listed = Get-Command -Module ExoKit | ForEach-Object Name | Sort-Object -CaseSensitive
        $listed | Should -Be $script:CmdletClasses
        (Get-Command -Module ExoKit | Group-Object CommandType).Name | Should -Be 'Cmdlet'
    }

    It 'every cmdlet has help with examples naming its noun' {
        foreach ($name in $script:CmdletClasses) {
            $examples = @((Get-Help $name -Examples).examples.example | ForEach-Object { $_.title + ' ' + $_.code })
            $examples | Should -Not -BeNullOrEmpty -Because "$name needs examples"
            $examples[0] | Should -BeLike '-------------------------- Example 1*' -Because $name
            foreach ($example in $examples) { $example | Should -BeLike "*$($name.Split('-')[1])*" -Because $name }
        }
    }

    It 'Get-Help Connect-ExoKit -Examples shows the sandbox example and the synopsis' {
        $shown = Get-Help Connect-ExoKit -Examples | Out-String -Width 120
        $shown | Should -BeLike '*Signs in to a tenant as an app*'
        $shown | Should -BeLike '*Example 4*'
        $shown | Should -BeLike '*-GraphEndpoint http://127.0*'
    }

    It 'help syntax comes from the cmdlet' {
        $sets = @((Get-Help Connect-ExoKit).syntax.syntaxItem | ForEach-Object { $_.parameter.name -join ',' })
        $sets.Count | Should -Be 8
        $sets | Where-Object { $_ -like '*ClientSecretCredential*' } | Should -Not -BeNullOrEmpty
        $sets | Where-Object { $_ -like 'TenantId,ClientId,ClientSecret*' } | Should -Not -BeNullOrEmpty
        $sets | Where-Object { $_ -like 'TenantId,ClientId,CertificatePath*' } | Should -Not -BeNullOrEmpty
        $sets | Where-Object { $_ -like 'TenantId,ManagedIdentity*' -or $_ -like 'TenantId,ClientId,ManagedIdentity*' } | Should -Not -BeNullOrEmpty
        $sets | Where-Object { $_ -like 'TenantId,AccessToken*' } | Should -Not -BeNullOrEmpty
    }

    It 'the manifest declares the floor and explicit exports' {
        $module = Get-Module ExoKit
        $module.PowerShellVersion | Should -Be ([version]'7.6')
        $module.CompatiblePSEditions | Should -Be @('Core')
        $module.ExportedFunctions.Count | Should -Be 0
        $module.ExportedAliases.Count | Should -Be 0
    }

    It 'the module folder ships no managed dependency' {
        $dir = (Get-TestPath).ModuleDir
        (Get-ChildItem -LiteralPath $dir -Filter *.dll -File).Name | Should -Be @('ExoKit.dll')
        @(Get-ChildItem -LiteralPath (Join-Path $dir 'runtimes') -Recurse -File -Filter '*exokit*').Count | Should -Be 1
        Join-Path $dir 'en-US/ExoKit.dll-Help.xml' | Should -Exist
    }

    It 'imports into other runspaces of the same process (Start-ThreadJob), each reaching the native library' {
        $manifest = (Get-TestPath).Module
        $jobs = 1..3 | ForEach-Object {
            Start-ThreadJob -ArgumentList $manifest -ScriptBlock {
                param($manifest)
                Import-Module $manifest
                Disconnect-ExoKit -WarningAction SilentlyContinue
                # A call that crosses into the native library: the resolver must answer every runspace.
                try { Get-ExchangeAppRoleDefinition -ErrorAction Stop; 'no error' } catch { $_.FullyQualifiedErrorId }
            }
        }
        $ids = $jobs | Receive-Job -Wait -AutoRemoveJob
        $ids | Should -HaveCount 3
        $ids | ForEach-Object { $_ | Should -Be 'ExoKit.NotConnected,ExoKit.GetExchangeAppRoleDefinition' }
    }

    It 'Import-Module -Force in the same runspace works' {
        Import-Module (Get-TestPath).Module -Force -ErrorVariable importErrors
        $importErrors | Should -BeNullOrEmpty
        Disconnect-ExoKit -WarningAction SilentlyContinue
        @(Get-Command -Module ExoKit).Count | Should -Be $script:CmdletClasses.Count
    }
}

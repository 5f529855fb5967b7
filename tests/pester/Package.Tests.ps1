# Install as admins install: the manifest carries what the PowerShell Gallery shows and
# Test-ModuleManifest checks; `cargo xtask package` made ExoKit.<version>.nupkg with a release,
# stripped native library; Install-PSResource puts it in a module path of a fresh user, and a
# fresh pwsh imports ExoKit by name and calls the sandbox. `cargo xtask test` packages first.

BeforeAll {
    Import-Module "$PSScriptRoot/Support/TestSupport.psm1" -Force
    $script:Paths = Get-TestPath
    $script:Manifest = Test-ModuleManifest -Path $script:Paths.Module -ErrorAction Stop
    $script:PSData = $script:Manifest.PrivateData.PSData
    # The section names of a 64-bit little-endian ELF file (the header's section table and its
    # name table): enough to tell a stripped library from one with symbols or debug info.
    function Get-ElfSectionName([byte[]] $Elf) {
        if ($Elf[0] -ne 0x7f -or [Text.Encoding]::ASCII.GetString($Elf, 1, 3) -ne 'ELF' -or $Elf[4] -ne 2) { throw 'not a 64-bit ELF file' }
        $shoff = [BitConverter]::ToInt64($Elf, 0x28)
        $size = [BitConverter]::ToUInt16($Elf, 0x3A)
        $count = [BitConverter]::ToUInt16($Elf, 0x3C)
        $names = $shoff + $size * [BitConverter]::ToUInt16($Elf, 0x3E)
        $table = [BitConverter]::ToInt64($Elf, $names + 0x18)
        foreach ($i in 0..($count - 1)) {
            $start = $table + [BitConverter]::ToUInt32($Elf, $shoff + $i * $size)
            $end = [Array]::IndexOf($Elf, [byte]0, [int]$start)
            [Text.Encoding]::ASCII.GetString($Elf, $start, $end - $start)
        }
    }
    $script:Version = if ($script:PSData.Prerelease) { "$($script:Manifest.Version)-$($script:PSData.Prerelease)" } else { "$($script:Manifest.Version)" }
}

Describe 'The manifest' {
    It 'passes Test-ModuleManifest and names the assembly, the floor and every cmdlet' {
        $script:Manifest.Name | Should -Be 'ExoKit'
        $script:Manifest.RootModule | Should -Be 'ExoKit.dll'
        $script:Manifest.PowerShellVersion | Should -Be ([version]'7.6')
        $script:Manifest.ExportedCmdlets.Count | Should -BeGreaterThan 20
    }

    It 'has a ProjectUri and a LicenseUri pointing at the MIT LICENSE file of the repository' {
        $script:Manifest.ProjectUri | Should -Not -BeNullOrEmpty
        $script:Manifest.ProjectUri.Scheme | Should -Be 'https'
        $script:Manifest.LicenseUri.AbsoluteUri | Should -Be "$($script:Manifest.ProjectUri.AbsoluteUri.TrimEnd('/'))/blob/main/LICENSE"
        $license = Join-Path $script:Paths.Root 'LICENSE'
        $license | Should -Exist
        (Get-Content -LiteralPath $license -TotalCount 1) | Should -Be 'MIT License'
        $script:Manifest.Copyright | Should -BeLike '*MIT*'
    }

    It 'has ReleaseNotes equal to the newest CHANGELOG.md section, naming every exported cmdlet' {
        $changelog = Get-Content -Raw -LiteralPath (Join-Path $script:Paths.Root 'CHANGELOG.md')
        $sections = [regex]::Matches($changelog, '(?ms)^## (?<version>\S+)\s*\n(?<body>.*?)(?=^## |\z)')
        $sections.Count | Should -BeGreaterThan 0
        $sections[0].Groups['version'].Value | Should -Be $script:Version
        $notes = $script:Manifest.ReleaseNotes
        ($notes -replace '\s+', ' ').Trim() | Should -Be (($sections[0].Groups['body'].Value -replace '\s+', ' ').Trim())
        foreach ($cmdlet in $script:Manifest.ExportedCmdlets.Keys) { $notes | Should -Match "\b$([regex]::Escape($cmdlet))\b" -Because 'the notes describe the module that ships' }
    }

    It 'is a prerelease while the version is below 1.0, and has no HelpInfoUri (no updatable help)' {
        if ($script:Manifest.Version -lt [version]'1.0') {
            $script:PSData.Prerelease | Should -Match '^[A-Za-z][A-Za-z0-9]*$'
        }
        $script:Manifest.HelpInfoUri | Should -BeNullOrEmpty
    }
}

Describe 'The package' {
    BeforeAll {
        $script:Nupkg = Join-Path $script:Paths.Repository "ExoKit.$($script:Version).nupkg"
        if (-not (Test-Path -LiteralPath $script:Nupkg)) { throw "no $script:Nupkg: run cargo xtask package (cargo xtask test does)" }
    }

    It 'holds the module files and a release, stripped native library' {
        Add-Type -AssemblyName System.IO.Compression.FileSystem
        $zip = [IO.Compression.ZipFile]::OpenRead($script:Nupkg)
        try {
            $names = $zip.Entries.FullName
            foreach ($file in 'ExoKit.psd1', 'ExoKit.dll', 'ExoKit.Format.ps1xml', 'en-US/ExoKit.dll-Help.xml', 'scripts/Automation-ContactsMirroring.ps1') {
                $names | Should -Contain $file
            }
            $native = @($zip.Entries | Where-Object { $_.FullName -like 'runtimes/*/native/*exokit*' })
            $native | Should -HaveCount 1
            $native[0].Length | Should -BeLessThan 40MB -Because 'a debug build is over 100 MB'
            @($names | Where-Object { $_ -like '*.dll' -and $_ -notlike 'runtimes/*' }) | Should -Be @('ExoKit.dll')
            if ($native[0].Name -like '*.so') {
                $stream = $native[0].Open()
                $memory = [IO.MemoryStream]::new()
                try { $stream.CopyTo($memory) } finally { $stream.Dispose() }
                $sections = Get-ElfSectionName $memory.ToArray()
                $sections | Should -Contain '.text' -Because 'the section table was read'
                $sections | Should -Not -Contain '.symtab' -Because 'the release profile strips symbols'
                $sections | Where-Object { $_ -like '.debug*' } | Should -BeNullOrEmpty -Because 'a release build ships no debug info'
            }
        } finally {
            $zip.Dispose()
        }
    }

    It 'installs with Install-PSResource from its repository, and a fresh pwsh imports ExoKit by name and calls the sandbox' {
        $home18 = New-TestTempPath -Prefix 'exokit-user'
        New-Item -ItemType Directory -Path $home18 | Out-Null
        $sandbox = Start-TestSandbox
        try {
            $demo = Get-TestDemo
            # A fresh user: PSResourceGet's repository list (LocalApplicationData) and its CurrentUser
            # install path ($HOME/.local/share/powershell/Modules), and pwsh's user module path
            # (XDG_DATA_HOME/powershell/Modules) all live in a temporary home.
            $share = Join-Path $home18 '.local/share'
            $user = @{ HOME = $home18; XDG_DATA_HOME = $share; LOCALAPPDATA = $share; PSModulePath = $null; EXOKIT_REPO = $script:Paths.Repository }
            $realUserModule = Join-Path ([Environment]::GetFolderPath('UserProfile')) '.local/share/powershell/Modules/ExoKit'
            $existedBefore = Test-Path -LiteralPath $realUserModule
            $install = Invoke-TestPwsh -Environment $user -Command @'
$ErrorActionPreference = 'Stop'
Register-PSResourceRepository -Name ExoKitLocal -Uri $env:EXOKIT_REPO -Trusted
Install-PSResource -Name ExoKit -Repository ExoKitLocal -Prerelease -Scope CurrentUser -Quiet
Get-InstalledPSResource -Name ExoKit | ForEach-Object { 'installed ' + $_.Name + ' ' + $_.Version + ' ' + $_.Prerelease + ' ' + $_.InstalledLocation }
'@
            $install.ExitCode | Should -Be 0 -Because $install
            $install.Stdout | Should -Match "installed ExoKit $([regex]::Escape([string]$script:Manifest.Version)) $($script:PSData.Prerelease) "
            $install.Stdout | Should -BeLike "*$home18*"
            if (-not $existedBefore) { $realUserModule | Should -Not -Exist -Because 'the test installs for its temporary user only' }

            $user.EXOKIT_TEST_URL = $sandbox.BaseUrl
            $user.EXOKIT_TEST_SECRET = $demo.Secret
            $use = Invoke-TestPwsh -Environment $user -Command @"
`$ErrorActionPreference = 'Stop'
Import-Module ExoKit
'base ' + (Get-Module ExoKit).ModuleBase
`$secret = [Net.NetworkCredential]::new('', `$env:EXOKIT_TEST_SECRET).SecurePassword
Connect-ExoKit -TenantId $($demo.Tenant) -ClientId $($demo.AppId) -ClientSecret `$secret -GraphEndpoint `$env:EXOKIT_TEST_URL -AuthorityHost `$env:EXOKIT_TEST_URL
'roles ' + @(Get-ExchangeAppRoleDefinition).Count
"@
            $use.ExitCode | Should -Be 0 -Because $use
            $base = ($use.Stdout -split "`r?`n" | Where-Object { $_.StartsWith('base ') }) -replace '^base ', ''
            $base | Should -BeLike "$home18*" -Because 'ExoKit came from the installed package, by name'
            $use.Stdout | Should -Match '(?m)^roles 14\s*$'
            $use.Stderr | Should -BeNullOrEmpty
        } finally {
            Stop-TestSandbox $sandbox
            Remove-Item -LiteralPath $home18 -Recurse -Force -ErrorAction SilentlyContinue
        }
    }
}

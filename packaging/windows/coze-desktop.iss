; Coze Desktop installer for Windows - Inno Setup 6.3 or later.
;
; Built by `python packaging\build.py` on Windows (after PyInstaller made dist\coze-desktop\),
; which runs, with the version from coze_desktop.__version__:
;
;   iscc /DAppVersion=0.1.0 /DBundleDir=C:\src\coze-desktop\dist\coze-desktop ^
;        /DOutputDir=C:\src\coze-desktop\dist ^
;        /DOutputBaseFilename=coze-desktop-0.1.0-windows-x86_64-setup ^
;        packaging\windows\coze-desktop.iss
;
; Only /DAppVersion is required; the other defines default to the checkout's dist\ folder.
; Per-user install, no administrator rights: %LOCALAPPDATA%\Programs\Coze Desktop, a Start-menu
; shortcut, an optional desktop shortcut, and an uninstaller listed in Settings -> Apps.
; The user's chats and settings (%LOCALAPPDATA%\Coze Desktop) are not touched by (un)installing.

#ifndef AppVersion
  #error Pass the version: iscc /DAppVersion=X.Y.Z packaging\windows\coze-desktop.iss
#endif
#ifndef AppNumericVersion
  ; VersionInfoVersion must be numeric (a.b.c.d); build.py passes it for versions like 1.0.0rc1.
  #define AppNumericVersion AppVersion
#endif
#ifndef BundleDir
  #define BundleDir "..\..\dist\coze-desktop"
#endif
#ifndef OutputDir
  #define OutputDir "..\..\dist"
#endif
#ifndef OutputBaseFilename
  #define OutputBaseFilename "coze-desktop-" + AppVersion + "-windows-x86_64-setup"
#endif

#define AppName "Coze Desktop"
#define AppExeName "coze-desktop.exe"
#define AppPublisher "Coze Desktop contributors"
#define AppURL "https://github.com/coze-desktop"

[Setup]
; The AppId identifies the app across versions (upgrades, uninstall): never change it.
AppId={{FAC532BF-EC4F-4ED1-973C-4133F2E5BB20}
AppName={#AppName}
AppVersion={#AppVersion}
AppVerName={#AppName} {#AppVersion}
AppPublisher={#AppPublisher}
AppPublisherURL={#AppURL}
AppSupportURL={#AppURL}
AppUpdatesURL={#AppURL}
VersionInfoVersion={#AppNumericVersion}
VersionInfoProductName={#AppName}
VersionInfoProductVersion={#AppNumericVersion}
VersionInfoDescription={#AppName} Setup
VersionInfoCompany={#AppPublisher}
; Per-user: no UAC prompt, installs into the user's own Programs folder.
PrivilegesRequired=lowest
DefaultDirName={localappdata}\Programs\{#AppName}
DisableDirPage=auto
DefaultGroupName={#AppName}
DisableProgramGroupPage=yes
UsePreviousAppDir=yes
; Qt 6 runs on 64-bit Windows 10 and later.
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
MinVersion=10.0
SetupIconFile=..\..\resources\icons\coze-desktop.ico
UninstallDisplayIcon={app}\{#AppExeName}
UninstallDisplayName={#AppName}
OutputDir={#OutputDir}
OutputBaseFilename={#OutputBaseFilename}
Compression=lzma2/max
SolidCompression=yes
WizardStyle=modern
; Close a running Coze Desktop before replacing its files (Restart Manager).
CloseApplications=yes
RestartApplications=no
ShowLanguageDialog=auto

[Languages]
Name: "english"; MessagesFile: "compiler:Default.isl"
; Simplified Chinese ships with Inno Setup's unofficial translations: used when installed.
#if FileExists(AddBackslash(CompilerPath) + "Languages\ChineseSimplified.isl")
Name: "chinesesimplified"; MessagesFile: "compiler:Languages\ChineseSimplified.isl"
#endif

[Tasks]
Name: "desktopicon"; Description: "{cm:CreateDesktopIcon}"; GroupDescription: "{cm:AdditionalIcons}"; Flags: unchecked

[InstallDelete]
; An upgrade replaces the whole bundle: no stale libraries from the previous version.
Type: filesandordirs; Name: "{app}\_internal"

[Files]
Source: "{#BundleDir}\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[Icons]
Name: "{autoprograms}\{#AppName}"; Filename: "{app}\{#AppExeName}"; WorkingDir: "{app}"; Comment: "Chat with your Coze bots"
Name: "{autodesktop}\{#AppName}"; Filename: "{app}\{#AppExeName}"; WorkingDir: "{app}"; Tasks: desktopicon

[Run]
Filename: "{app}\{#AppExeName}"; Description: "{cm:LaunchProgram,{#StringChange(AppName, '&', '&&')}}"; Flags: nowait postinstall skipifsilent

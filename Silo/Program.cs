using Switchboard.Silo;

SwitchboardApp.Build(args).Run();

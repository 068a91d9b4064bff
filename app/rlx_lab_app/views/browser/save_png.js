// A button that triggers the surface plot's save tool (a client-side PNG).
tool.do.emit(undefined);

/// Short names, inside this module, for the generated `portico.demo.echo.v1` messages.
typealias EchoRequest = Portico_Demo_Echo_V1_EchoRequest
typealias EchoResponse = Portico_Demo_Echo_V1_EchoResponse
typealias ExpandRequest = Portico_Demo_Echo_V1_ExpandRequest
typealias MetadataEntry = Portico_Demo_Echo_V1_MetadataEntry

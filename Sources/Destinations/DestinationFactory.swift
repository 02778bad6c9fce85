import Manifest

extension DestinationConfiguration {
    /// The destination these settings describe.
    public func makeDestination() throws -> any Destination {
        switch kind {
        case .s3(let settings): try S3Destination(name: name, settings: settings)
        case .azure(let settings): try AzureDestination(name: name, settings: settings)
        case .scp(let settings): try SCPDestination(name: name, settings: settings)
        case .local(let settings): LocalDestination(name: name, settings: settings)
        }
    }
}

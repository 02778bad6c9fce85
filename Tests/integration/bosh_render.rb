# A small stand-in for the BOSH director's job template rendering, enough for the service-backup job:
# properties are built from the job spec's declarations only (manifest value, else the spec default,
# else nil), and templates see `p`, `if_p` and `spec` as they do under BOSH. Links are not supported.
#
# Usage: ruby bosh_render.rb JOB_SPEC TEMPLATE CONTEXT_JSON
#   CONTEXT_JSON: {"properties": {...the job's manifest properties...}, "spec": {"deployment": "...", ...}}
# Prints the rendered template; a template error prints its message on stderr and exits 1.
require 'erb'
require 'json'
require 'ostruct'
require 'yaml'

class UnknownProperty < StandardError; end

class RenderContext
  class InactiveElseBlock
    def else; end
  end

  class ActiveElseBlock
    def initialize(context)
      @context = context
    end

    def else
      yield
    end
  end

  attr_reader :spec

  def initialize(properties, spec)
    @raw_properties = properties
    @spec = OpenStruct.new(spec)
  end

  def p(*args)
    names = Array(args[0])
    names.each do |name|
      value = lookup(name)
      return value unless value.nil?
    end
    return args[1] if args.length == 2

    raise UnknownProperty, "Can't find property '#{names.join("', '")}'"
  end

  def if_p(*names)
    values = names.map { |name| lookup(name) }
    return ActiveElseBlock.new(self) if values.any?(&:nil?)

    yield(*values)
    InactiveElseBlock.new
  end

  def get_binding
    binding
  end

  private

  def lookup(name)
    name.split('.').reduce(@raw_properties) do |node, key|
      return nil unless node.is_a?(Hash) && node.key?(key)

      node[key]
    end
  end
end

def dig_path(hash, path)
  path.reduce(hash) do |node, key|
    return [false, nil] unless node.is_a?(Hash) && node.key?(key)

    node[key]
  end.then { |value| [true, value] }
end

def set_path(hash, path, value)
  leaf = path[0..-2].reduce(hash) { |node, key| node[key] ||= {} }
  leaf[path.last] = value
end

# The director keeps only declared properties: each takes the manifest's value, else its default.
def job_properties(job_spec, manifest_properties)
  (job_spec['properties'] || {}).each_with_object({}) do |(name, declaration), properties|
    path = name.split('.')
    found, value = dig_path(manifest_properties, path)
    value = Marshal.load(Marshal.dump((declaration || {})['default'])) unless found
    set_path(properties, path, value)
  end
end

job_spec_path, template_path, context_path = ARGV
abort 'usage: ruby bosh_render.rb JOB_SPEC TEMPLATE CONTEXT_JSON' unless context_path

job_spec = YAML.safe_load(File.read(job_spec_path))
context = JSON.parse(File.read(context_path))
spec = { 'deployment' => 'test-deployment', 'name' => 'service', 'index' => 0, 'id' => 'instance-id' }
       .merge(context['spec'] || {})
render_context = RenderContext.new(job_properties(job_spec, context['properties'] || {}), spec)

begin
  print ERB.new(File.read(template_path), trim_mode: '-').result(render_context.get_binding)
rescue StandardError => e
  warn e.message
  exit 1
end
